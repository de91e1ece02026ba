import { RuntimeExceptionList, RuntimeSecuritySettings } from "../../settings";
import { FalcoList, FalcoListItem } from "./model";

/** Detection lists: what the rules look for. */
export const detectionLists: readonly FalcoList[] = [
    { name: "bulwark_shell_binaries", description: "interactive shells", exception: false, items: ["ash", "bash", "csh", "dash", "fish", "ksh", "sh", "tcsh", "zsh"].map((value) => ({ value })) },
    { name: "bulwark_sensitive_files", description: "files whose read means credential theft", exception: false, items: ["/etc/shadow", "/etc/gshadow", "/etc/sudoers", "/root/.ssh/id_rsa", "/root/.ssh/id_ed25519"].map((value) => ({ value })) },
    {
        name: "bulwark_service_account_token_dirs",
        description: "where Kubernetes mounts service-account tokens (the token file sits below a timestamped directory)",
        exception: false,
        items: ["/var/run/secrets/kubernetes.io/serviceaccount", "/run/secrets/kubernetes.io/serviceaccount", "/var/run/secrets/eks.amazonaws.com/serviceaccount"].map((value) => ({ value })),
    },
    { name: "bulwark_system_dirs", description: "configuration and binary directories a running container never writes", exception: false, items: ["/etc", "/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin", "/lib", "/lib64", "/usr/lib"].map((value) => ({ value })) },
    { name: "bulwark_package_managers", description: "package managers", exception: false, items: ["apk", "apt", "apt-get", "aptitude", "dnf", "dpkg", "gem", "microdnf", "npm", "pip", "pip3", "rpm", "yum", "zypper"].map((value) => ({ value })) },
    { name: "bulwark_privilege_escalation_binaries", description: "tools whose only purpose is to gain privileges", exception: false, items: ["doas", "newgrp", "pkexec", "su", "sudo"].map((value) => ({ value })) },
    {
        name: "bulwark_miner_binaries",
        description: "known crypto-miner process names",
        exception: false,
        items: ["bfgminer", "ccminer", "cgminer", "cpuminer", "ethminer", "lolminer", "minerd", "nanominer", "nbminer", "phoenixminer", "t-rex", "xmr-stak", "xmrig"].map((value) => ({ value })),
    },
    { name: "bulwark_mining_pool_ports", description: "Stratum ports mining pools listen on", exception: false, items: [3333, 4444, 5555, 7777, 9999, 14433, 14444, 45560, 45700].map((value) => ({ value })) },
];

/** The platform's own exceptions: every item says why it is there. */
export const platformExceptions: Readonly<Record<RuntimeExceptionList, readonly FalcoListItem[]>> = {
    bulwark_shell_allowed_images: [],
    bulwark_sensitive_file_readers: [
        { value: "fluent-bit", reason: "Fluent Bit's kubernetes filter reads its service-account token to look up pod metadata." },
        { value: "otelcol-contrib", reason: "The collector's k8s_attributes processor reads its token to enrich telemetry with pod metadata." },
        { value: "otelcol", reason: "The platform's collector build reads its token for the k8s_attributes processor." },
        { value: "kyverno", reason: "The Kyverno admission controller authenticates to the API server with its token." },
        { value: "manager", reason: "The OPA Gatekeeper controller-manager authenticates to the API server with its token." },
        { value: "source-controller", reason: "Flux's source controller authenticates to the API server with its token." },
        { value: "kustomize-controller", reason: "Flux's kustomize controller applies policies with its token." },
        { value: "helm-controller", reason: "Flux's helm controller reconciles releases with its token." },
        { value: "tetragon", reason: "The Tetragon agent reads its token to watch pods and TracingPolicies." },
    ],
    bulwark_system_dir_writers: [],
    bulwark_package_manager_allowed_images: [],
    bulwark_allowed_egress_ports: [
        { value: 53, reason: "DNS: every workload resolves names through the cluster DNS." },
        { value: 443, reason: "HTTPS: the Kubernetes API and external APIs are reached over TLS." },
        { value: 4317, reason: "OTLP over gRPC: workloads send traces, metrics and logs to the collector." },
        { value: 4318, reason: "OTLP over HTTP: workloads send telemetry to the collector." },
    ],
    bulwark_privileged_exec_allowed_images: [],
};

const exceptionDescriptions: Readonly<Record<RuntimeExceptionList, string>> = {
    bulwark_shell_allowed_images: "container image repositories allowed to spawn shells",
    bulwark_sensitive_file_readers: "process names allowed to read sensitive files and service-account tokens",
    bulwark_system_dir_writers: "process names allowed to write below /etc and the binary directories",
    bulwark_package_manager_allowed_images: "container image repositories allowed to run package managers",
    bulwark_allowed_egress_ports: "server ports workloads may connect to",
    bulwark_privileged_exec_allowed_images: "container image repositories allowed to change to uid 0 or run privilege tools",
};

/** Exception lists: the platform's items, then the stack's, each with its reason; duplicates dropped. */
export function exceptionLists(settings: RuntimeSecuritySettings): FalcoList[] {
    return (Object.keys(platformExceptions) as RuntimeExceptionList[]).map((name) => {
        const items: FalcoListItem[] = [...platformExceptions[name]];
        for (const exception of settings.exceptions.filter((candidate) => candidate.list === name)) {
            for (const value of exception.items) {
                if (!items.some((item) => item.value === value)) items.push({ value, reason: exception.reason });
            }
        }
        return { name, description: exceptionDescriptions[name], exception: true, items };
    });
}

/** The workload namespaces the egress rule watches (the stack's tenants). */
export function workloadNamespaceList(tenants: readonly string[]): FalcoList {
    return { name: "bulwark_workload_namespaces", description: "workload (tenant) namespaces of this stack", exception: false, items: [...tenants].sort().map((value) => ({ value })) };
}
