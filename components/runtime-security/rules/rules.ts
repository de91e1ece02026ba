import { RuntimeSecuritySettings } from "../../settings";
import { detectionLists, exceptionLists, workloadNamespaceList } from "./lists";
import { FalcoMacro, FalcoRule, FalcoRuleSet } from "./model";

/**
 * The project's own macros. The rules file is self-contained (it does not lean on the upstream
 * default rules' macros), so it loads and validates on its own; the conditions mirror upstream's
 * `spawned_process`, `container`, `open_read`, `open_write` and `outbound`.
 */
export const macros: readonly FalcoMacro[] = [
    { name: "bulwark_spawned_process", condition: "evt.type in (execve, execveat)" },
    { name: "bulwark_container", condition: "container.id != \"host\"" },
    { name: "bulwark_open_read", condition: "evt.type in (open, openat, openat2) and evt.is_open_read = true and fd.typechar = \"f\" and fd.num >= 0" },
    { name: "bulwark_open_write", condition: "evt.type in (open, openat, openat2) and evt.is_open_write = true and fd.typechar = \"f\" and fd.num >= 0" },
    {
        name: "bulwark_outbound",
        condition: "evt.type = connect and (fd.typechar = 4 or fd.typechar = 6) and fd.ip != \"0.0.0.0\" and fd.net != \"127.0.0.0/8\" and (evt.rawres >= 0 or evt.res = \"EINPROGRESS\")",
    },
    {
        name: "bulwark_sensitive_file",
        condition: "(fd.name in (bulwark_sensitive_files) or (fd.name pmatch (bulwark_service_account_token_dirs) and fd.filename = \"token\"))",
    },
    { name: "bulwark_probe", condition: "(proc.is_container_healthcheck = true or proc.is_container_liveness_probe = true or proc.is_container_readiness_probe = true)" },
    {
        name: "bulwark_setuid_to_root",
        condition: "((evt.type = setuid and evt.arg.uid = 0) or (evt.type in (setreuid, setresuid) and evt.arg.euid = 0)) and evt.rawres = 0",
    },
];

/** Fields every alert carries, so it lands next to the workload's traces and logs. */
const workloadContext = "k8s_ns=%k8s.ns.name k8s_pod=%k8s.pod.name container=%container.name image=%container.image.repository";
const processContext = "proc=%proc.name cmdline=%proc.cmdline parent=%proc.pname user=%user.name uid=%user.uid";

/** One rule per detection intent of the issue. */
export const rules: readonly FalcoRule[] = [
    {
        intent: "shell-in-container",
        name: "Bulwark shell spawned in container",
        description: "A shell started inside a container that is not an exec probe; containers run their entrypoint, not shells.",
        condition: "bulwark_spawned_process and bulwark_container and proc.name in (bulwark_shell_binaries) and not bulwark_probe and not container.image.repository in (bulwark_shell_allowed_images)",
        output: `Shell spawned in a container (${processContext} ${workloadContext})`,
        priority: "WARNING",
        tags: ["bulwark", "container", "shell", "mitre_execution", "T1059"],
    },
    {
        intent: "sensitive-file-read",
        name: "Bulwark sensitive file read",
        description: "A process not on the readers allowlist opened /etc/shadow, a private key or a service-account token for reading.",
        condition: "bulwark_open_read and bulwark_container and bulwark_sensitive_file and not proc.name in (bulwark_sensitive_file_readers)",
        output: `Sensitive file opened for reading (file=%fd.name ${processContext} ${workloadContext})`,
        priority: "ERROR",
        tags: ["bulwark", "container", "filesystem", "mitre_credential_access", "T1552"],
    },
    {
        intent: "system-dir-write",
        name: "Bulwark write below system directory",
        description: "A file below /etc or a binary directory was opened for writing in a running container.",
        condition: "bulwark_open_write and bulwark_container and fd.name pmatch (bulwark_system_dirs) and not proc.name in (bulwark_system_dir_writers)",
        output: `File below a system directory opened for writing (file=%fd.name ${processContext} ${workloadContext})`,
        priority: "ERROR",
        tags: ["bulwark", "container", "filesystem", "mitre_persistence", "T1543"],
    },
    {
        intent: "package-manager-in-container",
        name: "Bulwark package manager in container",
        description: "A package manager ran in a running container; images are immutable and built in CI.",
        condition: "bulwark_spawned_process and bulwark_container and proc.name in (bulwark_package_managers) and not container.image.repository in (bulwark_package_manager_allowed_images)",
        output: `Package manager run in a container (${processContext} ${workloadContext})`,
        priority: "WARNING",
        tags: ["bulwark", "container", "process", "mitre_persistence", "T1072"],
    },
    {
        intent: "unexpected-egress",
        name: "Bulwark outbound connection to unexpected port",
        description: "A workload-namespace container connected out to a server port not on the egress allowlist.",
        condition: "bulwark_outbound and bulwark_container and k8s.ns.name in (bulwark_workload_namespaces) and not fd.sport in (bulwark_allowed_egress_ports)",
        output: `Outbound connection to a port not on the allowlist (connection=%fd.name server_port=%fd.sport ${processContext} ${workloadContext})`,
        priority: "NOTICE",
        tags: ["bulwark", "container", "network", "mitre_command_and_control", "T1571"],
    },
    {
        intent: "privilege-escalation",
        name: "Bulwark privilege escalation in container",
        description: "A container process changed its uid to 0 (setuid family) or ran a privilege tool such as sudo or su.",
        condition:
            "bulwark_container and (bulwark_setuid_to_root or (bulwark_spawned_process and proc.name in (bulwark_privilege_escalation_binaries))) and not container.image.repository in (bulwark_privileged_exec_allowed_images)",
        output: `Privilege escalation in a container (syscall=%evt.type ${processContext} ${workloadContext})`,
        priority: "CRITICAL",
        tags: ["bulwark", "container", "process", "mitre_privilege_escalation", "T1548"],
    },
    {
        intent: "crypto-miner",
        name: "Bulwark crypto miner",
        description: "A known crypto-miner process started, or a container connected to a mining-pool (Stratum) port.",
        condition: "bulwark_container and ((bulwark_spawned_process and proc.name in (bulwark_miner_binaries)) or (bulwark_outbound and fd.sport in (bulwark_mining_pool_ports)))",
        output: `Crypto miner detected (connection=%fd.name ${processContext} ${workloadContext})`,
        priority: "CRITICAL",
        tags: ["bulwark", "container", "process", "network", "mitre_impact", "T1496"],
    },
];

/** The complete rule set for a stack: detection lists, its exception lists and workload namespaces. */
export function falcoRuleSet(settings: RuntimeSecuritySettings, workloadNamespaces: readonly string[]): FalcoRuleSet {
    return { lists: [...detectionLists, ...exceptionLists(settings), workloadNamespaceList(workloadNamespaces)], macros, rules };
}
