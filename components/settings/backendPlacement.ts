import type { PlatformSettings } from "./schema";

/*
 * Whether Tempo and Loki are installed by the platform or run elsewhere. Kept free of zod (type
 * imports only) so that namespace planning, `check` and the schema's cross-key rules share it.
 */

export type BackendPlacement = "install" | "external";

/**
 * External when the stack names the store anywhere: the `external` block, or the older keys a stack
 * may still set (`collector.backends.traces` / `metrics.grafana.tempoUrl`). Those keys win over the
 * in-cluster default, so a stack that set them keeps working and gets nothing installed.
 */
export function tempoPlacement(settings: PlatformSettings): BackendPlacement {
    const { tempo, collector, metrics } = settings.observability;
    return tempo.external !== undefined || collector.backends.traces !== undefined || metrics.grafana.tempoUrl !== undefined ? "external" : "install";
}

/** As {@link tempoPlacement}, for Loki (`collector.backends.logs` / `metrics.grafana.lokiUrl`). */
export function lokiPlacement(settings: PlatformSettings): BackendPlacement {
    const { loki, collector, metrics } = settings.observability;
    return loki.external !== undefined || collector.backends.logs !== undefined || metrics.grafana.lokiUrl !== undefined ? "external" : "install";
}

/** The stores this stack installs: placement `install`, and the stack installs third-party charts at all. */
export function installedTraceLogBackends(settings: PlatformSettings): { tempo: boolean; loki: boolean } {
    return { tempo: settings.install && tempoPlacement(settings) === "install", loki: settings.install && lokiPlacement(settings) === "install" };
}
