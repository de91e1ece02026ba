import { podSecurityControl } from "../control";

/** Volume sources restricted pods may use. */
export const restrictedVolumeTypes = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image", "persistentVolumeClaim", "projected", "secret"];

/**
 * Every other volume source in the core API. Listed because Kubernetes CEL cannot iterate the
 * fields of a typed object; a source added to Kubernetes later must be added here.
 */
export const forbiddenVolumeTypes = [
    "awsElasticBlockStore", "azureDisk", "azureFile", "cephfs", "cinder", "fc", "flexVolume", "flocker",
    "gcePersistentDisk", "gitRepo", "glusterfs", "hostPath", "iscsi", "nfs", "photonPersistentDisk",
    "portworxVolume", "quobyte", "rbd", "scaleIO", "storageos", "vsphereVolume",
];

const usesForbidden = `(${forbiddenVolumeTypes.map((type) => `has(v.${type})`).join(" || ")})`;

export const restrictedVolumes = podSecurityControl({
    id: "pss-restricted-volumes",
    title: "Pods may use only ephemeral, projected and claim-based volumes",
    rationale: "Direct storage and network volume sources bypass storage-class policy and can reach node or network resources (PSS restricted: Volume Types).",
    severity: "medium",
    level: "restricted",
    validations: [
        {
            expression: `!has(variables.podSpec.volumes) || variables.podSpec.volumes.all(v, !${usesForbidden})`,
            message: `volumes may use only ${restrictedVolumeTypes.join(", ")}`,
            messageExpression: `'restricted volume type(s) in volume(s): ' + variables.podSpec.volumes.filter(v, ${usesForbidden}).map(v, v.name).join(', ')`,
        },
    ],
    fixturesDir: __dirname,
});
