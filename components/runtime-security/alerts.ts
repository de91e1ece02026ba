/**
 * The Prometheus alert on critical runtime events, from Falco's own metrics
 * (`falcosecurity_falco_rules_matches_total`, labelled with the numeric `priority`:
 * 0 EMERGENCY, 1 ALERT, 2 CRITICAL, ... 7 DEBUG; see https://falco.org/docs/concepts/metrics/).
 * Kept in this area so it can move into the platform's alert-rule module unchanged.
 */
export const criticalEventsAlert = "FalcoCriticalRuntimeEvent";

/** Falco priority names to the numbers its metrics carry. */
export const falcoPriorityNumber: Readonly<Record<string, number>> = { EMERGENCY: 0, ALERT: 1, CRITICAL: 2, ERROR: 3, WARNING: 4, NOTICE: 5, INFORMATIONAL: 6, DEBUG: 7 };

/** The rule group (the `spec` of a PrometheusRule, and the content of a promtool rules file). */
export function runtimeSecurityRuleGroups(): { groups: Record<string, unknown>[] } {
    return {
        groups: [
            {
                name: "bulwark-runtime-security",
                rules: [
                    {
                        alert: criticalEventsAlert,
                        // increase() over a counter that appears with its first match: a new series counts from 0.
                        expr: 'sum by (rule_name, priority) (increase(falcosecurity_falco_rules_matches_total{priority=~"0|1|2"}[5m])) > 0',
                        for: "0m",
                        labels: { severity: "critical", capability: "runtime-security" },
                        annotations: {
                            summary: 'Falco rule "{{ $labels.rule_name }}" matched a critical runtime event',
                            description: "Falco matched {{ $value }} event(s) at priority {{ $labels.priority }} (0-2: emergency, alert, critical) in the last 5 minutes. The alert itself, with pod and namespace, is in the logs pipeline.",
                        },
                    },
                ],
            },
        ],
    };
}

/** The PrometheusRule object for the Falco namespace. */
export function runtimeSecurityPrometheusRule(namespace: string): Record<string, unknown> {
    return {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: { name: "bulwark-runtime-security", namespace, labels: { "app.kubernetes.io/managed-by": "bulwark" } },
        spec: runtimeSecurityRuleGroups(),
    };
}
