import { namespacePodSecurityLevel } from "./namespaces/pod-security-level/guardrail";
import { allowPrivilegeEscalation } from "./pod-security/allow-privilege-escalation/guardrail";
import { appArmor } from "./pod-security/apparmor/guardrail";
import { capabilitiesBaseline } from "./pod-security/capabilities-baseline/guardrail";
import { capabilitiesRestricted } from "./pod-security/capabilities-restricted/guardrail";
import { hostNamespaces } from "./pod-security/host-namespaces/guardrail";
import { hostPathVolumes } from "./pod-security/host-path-volumes/guardrail";
import { hostPorts } from "./pod-security/host-ports/guardrail";
import { hostProbesLifecycle } from "./pod-security/host-probes-lifecycle/guardrail";
import { privileged } from "./pod-security/privileged/guardrail";
import { procMount } from "./pod-security/proc-mount/guardrail";
import { procMountRestricted } from "./pod-security/proc-mount-restricted/guardrail";
import { restrictedVolumes } from "./pod-security/restricted-volumes/guardrail";
import { runAsNonRoot } from "./pod-security/run-as-non-root/guardrail";
import { runAsUser } from "./pod-security/run-as-user/guardrail";
import { seccompBaseline } from "./pod-security/seccomp-baseline/guardrail";
import { seccompRestricted } from "./pod-security/seccomp-restricted/guardrail";
import { seLinux } from "./pod-security/selinux/guardrail";
import { sysctls } from "./pod-security/sysctls/guardrail";
import { windowsHostProcess } from "./pod-security/windows-host-process/guardrail";
import { imageDigestPinned } from "./images/digest-pinned/guardrail";
import { imageRegistryAllowed } from "./images/registry-allowed/guardrail";
import { imageTagRequired } from "./images/tag-required/guardrail";
import { destinationRuleTls } from "./mesh/destination-rule-tls/guardrail";
import { meshInjectionNotDisabled } from "./mesh/injection-not-disabled/guardrail";
import { peerAuthenticationStrict } from "./mesh/peer-authentication-strict/guardrail";
import { resourceRequestsLimits } from "./resources/requests-limits/guardrail";
import { serviceExternalExposure } from "./services/external-exposure/guardrail";
import { CrossObjectGuardrailDefinition } from "./cross-object";
import { ingressHostUnique } from "./ingress/unique-host/guardrail";
import { collectorPipeline } from "./observability/collector-pipeline/guardrail";
import { GuardrailDefinition } from "./types";

/**
 * Every resource guardrail, defined once. CrossGuard, `check` and the admission renderers all read
 * this list; adding a guardrail means adding its folder and one line here.
 */
export const catalog: readonly GuardrailDefinition[] = [
    namespacePodSecurityLevel,
    // Pod Security Standards, baseline level.
    hostNamespaces,
    privileged,
    capabilitiesBaseline,
    hostPathVolumes,
    hostPorts,
    appArmor,
    seLinux,
    procMount,
    seccompBaseline,
    sysctls,
    windowsHostProcess,
    hostProbesLifecycle,
    // Pod Security Standards, restricted level.
    restrictedVolumes,
    allowPrivilegeEscalation,
    runAsNonRoot,
    runAsUser,
    seccompRestricted,
    capabilitiesRestricted,
    procMountRestricted,
    // Supply chain: image references.
    imageTagRequired,
    imageDigestPinned,
    imageRegistryAllowed,
    // Workload hygiene.
    resourceRequestsLimits,
    // Service mesh.
    peerAuthenticationStrict,
    destinationRuleTls,
    meshInjectionNotDisabled,
    // Exposure.
    serviceExternalExposure,
];

export function findGuardrail(id: string): GuardrailDefinition | undefined {
    return catalog.find((guardrail) => guardrail.id === id);
}

/** Guardrails that look across objects (see cross-object.ts). */
export const crossObjectCatalog: readonly CrossObjectGuardrailDefinition[] = [ingressHostUnique, collectorPipeline];
