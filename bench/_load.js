const cpu=()=>{const u=process.cpuUsage();return (u.user+u.system)/1000};
const t0=cpu();
for (const m of process.argv.slice(2)) { const t=cpu(); require(m); console.log(m, (cpu()-t).toFixed(0)); }
console.log("total", (cpu()-t0).toFixed(0), "since process start", (process.uptime()*1000).toFixed(0), "wall");
