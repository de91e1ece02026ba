const cpu=()=>{const u=process.cpuUsage();return (u.user+u.system)/1000};
let t=cpu();const {checkObjects}=require("../dist/cli/check.js");const {readManifests}=require("../dist/cli/input.js");const {readStackSettings,defaultStackConfigPath}=require("../dist/cli/stackConfig.js");const cel=require("../dist/components/guardrails/cel.js");
console.log("load", (cpu()-t).toFixed(0));t=cpu();
const settings=readStackSettings(defaultStackConfigPath("prod"),"prod");console.log("settings",(cpu()-t).toFixed(0));t=cpu();
const text=require("fs").readFileSync(process.argv[2],"utf8");console.log("read",(cpu()-t).toFixed(0));t=cpu();
const {objects}=readManifests([process.argv[2]]);console.log("read+parse",(cpu()-t).toFixed(0));t=cpu();
for(const o of objects)cel.toCelValue(o.object);console.log("convert only",(cpu()-t).toFixed(0));t=cpu();
const v=checkObjects(objects,{settings});console.log("check",(cpu()-t).toFixed(0), v.length);t=cpu();
const v2=checkObjects(objects,{settings});console.log("check again",(cpu()-t).toFixed(0), v2.length);t=cpu();
