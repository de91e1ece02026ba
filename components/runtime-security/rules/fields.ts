/**
 * Falco condition fields this project may use, as data. A condition that names a field not listed
 * here fails the rules check, so a typo (`proc.nmae`) is caught before Falco refuses the rules file.
 *
 * Source: Falco's "Supported Fields for Conditions and Outputs"
 * (https://falco.org/docs/reference/rules/supported-fields/, the output of `falco --list=syscall`),
 * for Falco 0.44.1, the app version of the pinned chart falco-9.1.0. Since Falco 0.41 the `container.*`
 * and `k8s.pod.*` / `k8s.ns.*` fields come from the `container` plugin, which the chart loads by
 * default (`collectors.containerEngine`). Every field the upstream default rules
 * (`../shared/schemas/falco/falco_rules.yaml`) use in a condition is also listed; a test checks that.
 *
 * Only the field classes a syscall rule of this project can use are listed, not every class Falco
 * has (k8s audit, plugins' own fields).
 */
export const falcoFieldSource = "https://falco.org/docs/reference/rules/supported-fields/ (falco --list=syscall, Falco 0.44.1; container plugin fields)";

export const falcoFields: Readonly<Record<string, readonly string[]>> = {
    evt: [
        "evt.num", "evt.time", "evt.time.s", "evt.time.iso8601", "evt.datetime", "evt.datetime.s", "evt.rawtime", "evt.rawtime.s", "evt.rawtime.ns",
        "evt.reltime", "evt.latency", "evt.dir", "evt.type", "evt.type.is", "evt.syscall.type", "evt.category", "evt.cpu", "evt.args", "evt.arg",
        "evt.rawarg", "evt.info", "evt.buffer", "evt.buflen", "evt.res", "evt.rawres", "evt.failed", "evt.is_io", "evt.is_io_read", "evt.is_io_write",
        "evt.io_dir", "evt.is_wait", "evt.wait_latency", "evt.is_syslog", "evt.count", "evt.count.error", "evt.count.error.file", "evt.count.error.net",
        "evt.count.error.memory", "evt.count.error.other", "evt.count.exit", "evt.around", "evt.abspath", "evt.abspath.src", "evt.abspath.dst",
        "evt.is_open_read", "evt.is_open_write", "evt.is_open_exec", "evt.is_open_create", "evt.hostname", "evt.source", "evt.pluginname",
        "evt.plugininfo", "evt.asynctype",
    ],
    proc: [
        "proc.exe", "proc.pexe", "proc.aexe", "proc.exepath", "proc.pexepath", "proc.aexepath", "proc.name", "proc.pname", "proc.aname", "proc.args",
        "proc.cmdline", "proc.pcmdline", "proc.acmdline", "proc.cmdnargs", "proc.cmdlenargs", "proc.exeline", "proc.env", "proc.aenv", "proc.cwd",
        "proc.loginshellid", "proc.tty", "proc.pid", "proc.ppid", "proc.apid", "proc.vpid", "proc.pvpid", "proc.sid", "proc.sname", "proc.sid.exe",
        "proc.sid.exepath", "proc.vpgid", "proc.vpgid.name", "proc.vpgid.exe", "proc.vpgid.exepath", "proc.duration", "proc.ppid.duration",
        "proc.pid.ts", "proc.ppid.ts", "proc.is_exe_writable", "proc.is_exe_upper_layer", "proc.is_exe_from_memfd", "proc.is_sid_leader",
        "proc.is_vpgid_leader", "proc.exe_ino", "proc.exe_ino.ctime", "proc.exe_ino.mtime", "proc.exe_ino.ctime_duration_proc_start",
        "proc.exe_ino.ctime_duration_pidns_start", "proc.pidns_init_start_ts", "proc.thread.cap_permitted", "proc.thread.cap_inheritable",
        "proc.thread.cap_effective", "proc.is_container_healthcheck", "proc.is_container_liveness_probe", "proc.is_container_readiness_probe",
        "proc.fdopencount", "proc.fdlimit", "proc.fdusage", "proc.vmsize", "proc.vmrss", "proc.vmswap", "proc.stdin.type", "proc.stdout.type",
        "proc.stderr.type", "proc.stdin.name", "proc.stdout.name", "proc.stderr.name",
    ],
    thread: [
        "thread.pfminor", "thread.pfmajor", "thread.ismain", "thread.exectime", "thread.totexectime", "thread.cgroups", "thread.tid", "thread.vtid",
        "thread.cap_permitted", "thread.cap_inheritable", "thread.cap_effective",
    ],
    user: ["user.uid", "user.name", "user.homedir", "user.shell", "user.loginuid", "user.loginname"],
    group: ["group.gid", "group.name"],
    fd: [
        "fd.num", "fd.type", "fd.typechar", "fd.name", "fd.directory", "fd.filename", "fd.ip", "fd.cip", "fd.sip", "fd.lip", "fd.rip", "fd.port",
        "fd.cport", "fd.sport", "fd.lport", "fd.rport", "fd.l4proto", "fd.sockfamily", "fd.is_server", "fd.uid", "fd.containername",
        "fd.containerdirectory", "fd.proto", "fd.cproto", "fd.sproto", "fd.lproto", "fd.rproto", "fd.net", "fd.cnet", "fd.snet", "fd.lnet",
        "fd.rnet", "fd.connected", "fd.name_changed", "fd.cip.name", "fd.sip.name", "fd.lip.name", "fd.rip.name", "fd.dev", "fd.dev.major",
        "fd.dev.minor", "fd.ino", "fd.nameraw",
    ],
    fs: ["fs.path.name", "fs.path.nameraw", "fs.path.source", "fs.path.sourceraw", "fs.path.target", "fs.path.targetraw"],
    container: [
        "container.id", "container.full_id", "container.name", "container.image", "container.image.id", "container.type", "container.privileged",
        "container.mounts", "container.mount", "container.mount.source", "container.mount.dest", "container.mount.mode", "container.mount.rdwr",
        "container.mount.propagation", "container.image.repository", "container.image.tag", "container.image.digest", "container.healthcheck",
        "container.liveness_probe", "container.readiness_probe", "container.start_ts", "container.duration", "container.ip", "container.cni.json",
        "container.host_pid", "container.host_network", "container.host_ipc",
    ],
    k8s: [
        "k8s.pod.name", "k8s.pod.id", "k8s.pod.uid", "k8s.pod.sandbox_id", "k8s.pod.full_sandbox_id", "k8s.pod.label", "k8s.pod.labels",
        "k8s.pod.ip", "k8s.pod.cni.json", "k8s.ns.name",
    ],
};

/** Every known field, for look-up. */
export const knownFalcoFields: ReadonlySet<string> = new Set(Object.values(falcoFields).flat());

/**
 * Syscall event names a condition may compare `evt.type` with, bare as Falco writes them
 * (https://falco.org/docs/reference/rules/supported-events/). Only the ones this project's rules use.
 */
export const falcoEventTypes: ReadonlySet<string> = new Set([
    "execve", "execveat", "open", "openat", "openat2", "creat", "connect", "setuid", "setreuid", "setresuid", "setgid", "setresgid", "rename", "renameat", "renameat2", "unlink", "unlinkat",
]);
