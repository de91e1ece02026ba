/**
 * Memory budget of one collector container. The memory_limiter starts refusing data (soft limit =
 * limit - spike) before the Go runtime's GOMEMLIMIT makes garbage collection aggressive, and both stay
 * below the container limit so the kernel's OOM killer never gets there first.
 */
export interface MemoryBudget {
    /** The container's memory limit, MiB. */
    readonly containerMiB: number;
    /** memory_limiter `limit_mib`: 80% of the container (the collector chart's ratio). */
    readonly limitMiB: number;
    /** memory_limiter `spike_limit_mib`: 25% of `limitMiB` (the processor's documented default ratio). */
    readonly spikeLimitMiB: number;
    /** GOMEMLIMIT, set to the memory_limiter's hard limit so the GC and the limiter agree. */
    readonly goMemLimit: string;
}

export function memoryBudget(containerMiB: number): MemoryBudget {
    const limitMiB = Math.floor(containerMiB * 0.8);
    return { containerMiB, limitMiB, spikeLimitMiB: Math.floor(limitMiB * 0.25), goMemLimit: `${limitMiB}MiB` };
}
