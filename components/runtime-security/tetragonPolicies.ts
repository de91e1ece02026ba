import { RuntimeSecuritySettings } from "../settings";
import { detectionLists, exceptionLists } from "./rules/lists";
import { DetectionIntent, FalcoList } from "./rules/model";
import { rules } from "./rules/rules";

/**
 * Tetragon TracingPolicies generated from the same typed intents as the Falco rules, where Tetragon
 * covers the intent with a kernel hook:
 *
 *   process execution   shell, package manager, privilege tool, crypto miner  security_bprm_check
 *   sensitive file open  /etc/shadow, keys, service-account tokens             security_file_open
 *   tcp_connect          egress to a port not on the allowlist                 tcp_connect (per workload namespace)
 *
 * The same lists feed both sensors. What Tetragon cannot match on (image repositories: its
 * selectors see binaries, namespaces and pod labels) is left to Falco and said so in the README.
 * Enforcement (`runtimeSecurity.enforce`) adds Sigkill / Override actions; off, the policies only
 * report.
 */

export const tetragonApiVersion = "cilium.io/v1alpha1";
/** Pods carrying this label are outside the policies (the sensors themselves). */
export const runtimeExemptLabel = "bulwark.dev/runtime-security-exempt";

export interface TracingPolicyObject {
    readonly apiVersion: string;
    readonly kind: "TracingPolicy" | "TracingPolicyNamespaced";
    readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels: Record<string, string>; readonly annotations: Record<string, string> };
    readonly spec: Record<string, unknown>;
}

function values(list: FalcoList): string[] {
    return list.items.map((item) => String(item.value));
}

function listNamed(lists: readonly FalcoList[], name: string): FalcoList {
    const list = lists.find((candidate) => candidate.name === name);
    if (list === undefined) throw new Error(`list '${name}' is not defined`);
    return list;
}

function metadata(intents: readonly DetectionIntent[], name: string, namespace?: string): TracingPolicyObject["metadata"] {
    const ruleNames = rules.filter((rule) => intents.includes(rule.intent)).map((rule) => rule.name);
    return {
        name,
        ...(namespace === undefined ? {} : { namespace }),
        labels: { "app.kubernetes.io/managed-by": "bulwark" },
        // Annotations, not labels: the list outgrows a label value's 63 characters.
        annotations: { "bulwark.dev/intents": intents.join(","), "bulwark.dev/falco-rules": ruleNames.join("; ") },
    };
}

/** Only pods, and not the exempt ones: host processes and the sensors are out of scope, as in Falco. */
const podSelector = { matchExpressions: [{ key: runtimeExemptLabel, operator: "DoesNotExist" }] };

/** TracingPolicies (and per-namespace TracingPolicyNamespaced objects) for a stack. */
export function tetragonPolicies(settings: RuntimeSecuritySettings, workloadNamespaces: readonly string[]): TracingPolicyObject[] {
    const lists = [...detectionLists, ...exceptionLists(settings)];
    const enforce = settings.enforce;
    const execNames = ["bulwark_shell_binaries", "bulwark_package_managers", "bulwark_privilege_escalation_binaries", "bulwark_miner_binaries"].flatMap((name) => values(listNamed(lists, name)));
    const execPolicy: TracingPolicyObject = {
        apiVersion: tetragonApiVersion,
        kind: "TracingPolicy",
        metadata: metadata(["shell-in-container", "package-manager-in-container", "privilege-escalation", "crypto-miner"], "bulwark-process-exec"),
        spec: {
            podSelector,
            kprobes: [
                {
                    call: "security_bprm_check",
                    syscall: false,
                    args: [{ index: 0, type: "linux_binprm" }],
                    selectors: [
                        {
                            matchArgs: [{ index: 0, operator: "Postfix", values: [...new Set(execNames)].sort().map((name) => `/${name}`) }],
                            ...(enforce ? { matchActions: [{ action: "Sigkill" }] } : {}),
                        },
                    ],
                },
            ],
        },
    };
    const readers = values(listNamed(lists, "bulwark_sensitive_file_readers"));
    const filePolicy: TracingPolicyObject = {
        apiVersion: tetragonApiVersion,
        kind: "TracingPolicy",
        metadata: metadata(["sensitive-file-read"], "bulwark-sensitive-file-open"),
        spec: {
            podSelector,
            kprobes: [
                {
                    call: "security_file_open",
                    syscall: false,
                    return: true,
                    args: [{ index: 0, type: "file" }],
                    returnArg: { index: 0, type: "int" },
                    selectors: [
                        { matchArgs: [{ index: 0, operator: "Equal", values: values(listNamed(lists, "bulwark_sensitive_files")) }] },
                        { matchArgs: [{ index: 0, operator: "Prefix", values: values(listNamed(lists, "bulwark_service_account_token_dirs")) }] },
                    ].map((selector) => ({
                        ...selector,
                        ...(readers.length > 0 ? { matchBinaries: [{ operator: "NotPostfix", values: readers.map((reader) => `/${reader}`) }] } : {}),
                        ...(enforce ? { matchActions: [{ action: "Override", argError: -1 }] } : {}),
                    })),
                },
            ],
        },
    };
    const allowedPorts = values(listNamed(lists, "bulwark_allowed_egress_ports"));
    const egressPolicies = [...workloadNamespaces].sort().map(
        (namespace): TracingPolicyObject => ({
            apiVersion: tetragonApiVersion,
            kind: "TracingPolicyNamespaced",
            metadata: metadata(["unexpected-egress"], "bulwark-unexpected-egress", namespace),
            spec: {
                podSelector,
                kprobes: [
                    {
                        call: "tcp_connect",
                        syscall: false,
                        args: [{ index: 0, type: "sock" }],
                        selectors: [
                            {
                                matchArgs: [
                                    { index: 0, operator: "NotDPort", values: allowedPorts },
                                    { index: 0, operator: "NotDAddr", values: ["127.0.0.0/8"] },
                                ],
                                ...(enforce ? { matchActions: [{ action: "Sigkill" }] } : {}),
                            },
                        ],
                    },
                ],
            },
        }),
    );
    return [execPolicy, filePolicy, ...egressPolicies];
}
