/**
 * How runtime-security alerts read in the logs pipeline. Falco's alerts reach the collector gateway
 * as OTLP logs (from falcosidekick) or as JSON lines on Falco's stdout (through the node log agent);
 * Tetragon's events arrive as the JSON lines its export-stdout container prints. Either way the record
 * body is the sensor's JSON. These OTTL statements, for the gateway's `transform` processor (log
 * context), lift what a person searches by into attributes and the record's severity:
 *
 *   security_rule.name    Falco `rule` / Tetragon `policy_name`   (OpenTelemetry semantic conventions)
 *   k8s.namespace.name    Falco `output_fields["k8s.ns.name"]` / Tetragon `process.pod.namespace`
 *   k8s.pod.name          Falco `output_fields["k8s.pod.name"]` / Tetragon `process.pod.name`
 *   k8s.container.name    Falco `output_fields["container.name"]` / Tetragon `process.pod.container.name`
 *   severity              Falco `priority` (Emergency..Debug); Tetragon WARN, ERROR when it acted
 *
 * With the namespace and pod as attributes, an alert sits next to that workload's traces and logs.
 */

/** Falco priority (as Falco writes it in JSON) to the OpenTelemetry severity number. */
export const falcoSeverityNumbers: Readonly<Record<string, number>> = {
    Emergency: 24,
    Alert: 22,
    Critical: 21,
    Error: 17,
    Warning: 13,
    Notice: 10,
    Informational: 9,
    Debug: 5,
};

const isJsonBody = 'IsString(body) and IsMatch(body, "^\\\\s*\\\\{")';
const falco = 'cache["rule"] != nil and cache["output_fields"] != nil';
const tetragonKprobe = 'cache["process_kprobe"] != nil';
const tetragonExec = 'cache["process_exec"] != nil';

/** The transform processor's log statements, in order. */
export function runtimeSecurityLogStatements(): string[] {
    return [
        `set(cache, ParseJSON(body)) where ${isJsonBody}`,
        // Falco alerts.
        `set(attributes["security_rule.name"], cache["rule"]) where ${falco}`,
        `set(attributes["k8s.namespace.name"], cache["output_fields"]["k8s.ns.name"]) where ${falco} and cache["output_fields"]["k8s.ns.name"] != nil`,
        `set(attributes["k8s.pod.name"], cache["output_fields"]["k8s.pod.name"]) where ${falco} and cache["output_fields"]["k8s.pod.name"] != nil`,
        `set(attributes["k8s.container.name"], cache["output_fields"]["container.name"]) where ${falco} and cache["output_fields"]["container.name"] != nil`,
        `set(attributes["security_rule.ruleset.name"], "falco") where ${falco}`,
        `set(severity_text, cache["priority"]) where ${falco}`,
        ...Object.entries(falcoSeverityNumbers).map(([priority, number]) => `set(severity_number, ${number}) where ${falco} and cache["priority"] == "${priority}"`),
        // Tetragon events: kprobe events carry the policy that matched; exec events are context.
        `set(attributes["security_rule.name"], cache["process_kprobe"]["policy_name"]) where ${tetragonKprobe}`,
        `set(attributes["security_rule.ruleset.name"], "tetragon") where ${tetragonKprobe} or ${tetragonExec}`,
        ...(["process_kprobe", "process_exec"] as const).flatMap((event) => [
            `set(attributes["k8s.namespace.name"], cache["${event}"]["process"]["pod"]["namespace"]) where cache["${event}"] != nil and cache["${event}"]["process"]["pod"] != nil`,
            `set(attributes["k8s.pod.name"], cache["${event}"]["process"]["pod"]["name"]) where cache["${event}"] != nil and cache["${event}"]["process"]["pod"] != nil`,
            `set(attributes["k8s.container.name"], cache["${event}"]["process"]["pod"]["container"]["name"]) where cache["${event}"] != nil and cache["${event}"]["process"]["pod"]["container"] != nil`,
        ]),
        `set(severity_text, "WARN") where ${tetragonKprobe}`,
        `set(severity_number, 13) where ${tetragonKprobe}`,
        `set(severity_text, "ERROR") where ${tetragonKprobe} and IsMatch(cache["process_kprobe"]["action"], "SIGKILL|OVERRIDE")`,
        `set(severity_number, 17) where ${tetragonKprobe} and IsMatch(cache["process_kprobe"]["action"], "SIGKILL|OVERRIDE")`,
    ];
}
