import * as yaml from "js-yaml";

/*
 * The collector-pipeline rules on one collector config (the parsed YAML of a ConfigMap key or an
 * OpenTelemetryCollector's spec.config), shared by CrossGuard and `check`. The Rego in rego.ts states
 * the same rules for Gatekeeper; the gator suites prove that both agree on every fixture.
 */

export type CollectorConfig = {
    processors?: Record<string, unknown>;
    exporters?: Record<string, unknown>;
    service?: { pipelines?: Record<string, { processors?: string[]; exporters?: string[] } | null> };
};

/** Processor types that remove PII (any named instance, e.g. `attributes/pii`). */
export const piiProcessorTypes = ["attributes", "redaction", "transform"];

function typeOf(id: string): string {
    return id.split("/")[0];
}

/** A collector config found in a ConfigMap value or an OpenTelemetryCollector's spec.config. */
export function asCollectorConfig(value: unknown): CollectorConfig | undefined {
    let parsed = value;
    if (typeof value === "string") {
        try {
            parsed = yaml.load(value);
        } catch {
            return undefined;
        }
    }
    if (parsed === null || typeof parsed !== "object") return undefined;
    const pipelines = (parsed as CollectorConfig).service?.pipelines;
    return pipelines !== null && typeof pipelines === "object" ? (parsed as CollectorConfig) : undefined;
}

function exporterBatches(config: CollectorConfig, id: string): boolean {
    const exporter = config.exporters?.[id] as { sending_queue?: { enabled?: boolean; batch?: unknown } } | null | undefined;
    const queue = exporter?.sending_queue;
    return queue !== undefined && queue !== null && queue.enabled !== false && queue.batch !== undefined && queue.batch !== null;
}

/** Violations of the pipeline-shape rules, each naming the pipeline at fault. */
export function pipelineViolations(config: CollectorConfig): string[] {
    const messages: string[] = [];
    const pipelines = Object.keys(config.service?.pipelines ?? {}).sort();
    for (const name of pipelines) {
        const pipeline = config.service?.pipelines?.[name] ?? {};
        const processors = pipeline.processors ?? [];
        const exporters = pipeline.exporters ?? [];
        if (processors.length === 0 || typeOf(processors[0]) !== "memory_limiter") {
            messages.push(`pipeline ${name}: memory_limiter must be the first processor (found: ${processors.length === 0 ? "no processors" : processors[0]})`);
        }
        const signal = typeOf(name);
        if ((signal === "traces" || signal === "logs") && !processors.some((id) => piiProcessorTypes.includes(typeOf(id)))) {
            messages.push(`pipeline ${name}: no PII-removal processor (attributes, redaction or transform)`);
        }
        const batching = processors.some((id) => typeOf(id) === "batch") || (exporters.length > 0 && exporters.every((id) => exporterBatches(config, id)));
        if (!batching) messages.push(`pipeline ${name}: no batching (a batch processor, or sending_queue.batch on every exporter)`);
        for (const id of exporters) {
            const exporter = config.exporters?.[id] as { verbosity?: string } | null | undefined;
            if (typeOf(id) === "debug" && exporter?.verbosity === "detailed") {
                messages.push(`pipeline ${name}: exporter ${id} has verbosity detailed (it prints every attribute; not where the ramp enforces)`);
            }
        }
    }
    return messages;
}

/** The memory_limiter's hard limit in MiB, when set in MiB (limit_percentage follows the container by itself). */
export function memoryLimiterMiB(config: CollectorConfig): number | undefined {
    for (const [id, processor] of Object.entries(config.processors ?? {})) {
        if (typeOf(id) !== "memory_limiter") continue;
        const limit = (processor as { limit_mib?: unknown } | null)?.limit_mib;
        if (typeof limit === "number") return limit;
    }
    return undefined;
}

const binaryUnits: Record<string, number> = { Ki: 1 / 1024, Mi: 1, Gi: 1024, Ti: 1024 * 1024 };
const decimalUnits: Record<string, number> = { k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** A Kubernetes memory quantity in MiB (`512Mi`, `1Gi`, `1G`, `536870912`). */
export function quantityMiB(quantity: unknown): number | undefined {
    if (typeof quantity === "number") return quantity / (1024 * 1024);
    if (typeof quantity !== "string") return undefined;
    const match = /^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(quantity.trim());
    if (match === null) return undefined;
    const value = Number(match[1]);
    const unit = match[2];
    if (unit === undefined) return value / (1024 * 1024);
    if (unit in binaryUnits) return value * binaryUnits[unit];
    return (value * decimalUnits[unit]) / (1024 * 1024);
}

/** Violations of the memory rule for one container running `config`. */
export function memoryViolations(config: CollectorConfig, container: { name?: string; env?: { name?: string }[]; resources?: { limits?: { memory?: unknown } } }): string[] {
    const limitMiB = memoryLimiterMiB(config);
    const containerMiB = quantityMiB(container.resources?.limits?.memory);
    const name = container.name ?? "collector";
    const messages: string[] = [];
    if (containerMiB === undefined) {
        messages.push(`container ${name}: no memory limit, so memory_limiter cannot be sized against it`);
    } else if (limitMiB !== undefined && limitMiB >= containerMiB) {
        messages.push(`container ${name}: memory_limiter limit_mib ${limitMiB} does not fit the container memory limit (${Math.floor(containerMiB)} MiB)`);
    }
    if (!(container.env ?? []).some((variable) => variable.name === "GOMEMLIMIT")) messages.push(`container ${name}: GOMEMLIMIT is not set`);
    return messages;
}
