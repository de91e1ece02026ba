import * as fs from "fs";
import * as path from "path";
import { repositoryRoot } from "../../cli/local/engines";

/** `../shared` beside the repository: corpora and schemas, read at test time, never copied. */
export const sharedDir = path.resolve(repositoryRoot, "..", "shared");

export const podSecurityCorpusDir = path.join(sharedDir, "corpora", "pod-security-admission");

/** Pinned copies of the upstream Helm charts the platform installs (`<chart>-<version>/`). */
export const chartsDir = path.join(sharedDir, "charts");

const upstreamSources: Record<string, string> = {
    [path.join(sharedDir, "schemas", "crds")]: "the CRD JSON schemas from github.com/datreeio/CRDs-catalog (<group>/<kind>_<version>.json)",
    [chartsDir]:
        "the upstream Helm charts at the versions in components/versions.ts, unpacked as <chart>-<version>/ (see shared/charts/README.md for each chart's source repository and tag)",
    [podSecurityCorpusDir]:
        "the Pod Security Admission fixtures from github.com/kubernetes/pod-security-admission, test/testdata (baseline|restricted/pass|fail/*.yaml)",
};

/**
 * Returns the folder, or skips the calling test when it is absent outside CI. Under CI=true a
 * missing folder fails the test, naming the upstream data it needs.
 */
export function requireSharedDir(context: Mocha.Context, dir: string): string {
    if (fs.existsSync(dir)) return dir;
    const message = `${dir} is missing: this test needs ${upstreamSources[dir] ?? "shared data"}; place it at ${dir}`;
    if (process.env.CI === "true") throw new Error(message);
    // Outside CI (a user's own clone without ../shared) the test is skipped with the reason above.
    context.skip();
    return dir;
}
