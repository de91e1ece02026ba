// Engine test: the upstream Pod Security Admission fixtures against a real
// kube-apiserver (built from k8s.io/kubernetes at the pinned version).
//
// The rendered Namespaces of every stack are applied (dev and staging with
// server-side dry run, prod for real).  Every Pod under
// shared/corpora/pod-security-admission/<level>/{pass,fail}/ is then created
// with server-side dry run (?dryRun=All) in prod's own namespaces: the tenant
// `checkout` (restricted) and the platform namespace `bulwark-system`
// (baseline), labelled exactly as Bulwark renders them.  fail/ Pods must be
// rejected by PodSecurity (HTTP 403, "violates PodSecurity"), pass/ Pods must
// be admitted, and `bulwark check` must give the same verdict as the server.
//
// Two documented exceptions, both asserted precisely rather than ignored:
//  - REJECTED_BY_VALIDATION: fail/ fixtures whose Pod is invalid on a v1.35+
//    API server, so it is rejected (HTTP 422) before PodSecurity runs.  Upstream
//    marks these `failRequiresError: true` in test/fixtures_procMount.go ("the
//    only combination that can fail the 1.35 baseline check also fails
//    validation").  They count as agreed: the Pod is rejected.
//  - VERSION_SKEW: fixtures whose expectation changed in a policy version newer
//    than the engine's (the corpus is policy v1.37).  While the engine is older
//    than `since`, the engine's own (older) policy outcome is asserted; from
//    `since` on, the corpus expectation is asserted like any other fixture.
//
// Run: mocha -r ts-node/register 'test/engines/**/*.engine.test.ts' --timeout 600000

import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

import { checkObjects } from "../../cli/check";
import { kubernetesObjects } from "../../cli/render";
import { renderStackFile, stackNames } from "../support/render";
import { ApiResponse, ApiServer, KubeObject, startApiServer } from "./harness/apiserver";
import { podSecurityCorpusDir, requireSharedDir } from "../support/shared";
import { skipOrFail } from "./harness/engines";

const CORPUS = podSecurityCorpusDir;
const UPSTREAM = "github.com/kubernetes/pod-security-admission test/testdata";
const LEVELS = ["baseline", "restricted"] as const;
const EXPECTATIONS = ["pass", "fail"] as const;
type Level = (typeof LEVELS)[number];
type Expectation = (typeof EXPECTATIONS)[number];

/** `${level}/fail/${name}` -> what the 422 message must match. */
const REJECTED_BY_VALIDATION: Record<string, RegExp> = {
    "baseline/fail/procmount0": /procMount: Invalid value: "Unmasked": `hostUsers` must be false/,
    "baseline/fail/procmount1": /procMount: Invalid value: "Unmasked": `hostUsers` must be false/,
    "restricted/fail/procmount0": /procMount: Invalid value: "Unmasked": `hostUsers` must be false/,
    "restricted/fail/procmount1": /procMount: Invalid value: "Unmasked": `hostUsers` must be false/,
};

interface Skew {
    /** First policy (= Kubernetes minor) version with the corpus' expectation. */
    since: number;
    /** What an older engine must answer instead. */
    before: { outcome: "psa"; message: RegExp };
    why: string;
}
const SYSCTLS_1_37: Skew = {
    since: 37,
    before: { outcome: "psa", message: /forbidden sysctls \(net\.ipv4\.tcp_slow_start_after_idle, net\.ipv4\.tcp_notsent_lowat\)/ },
    why: "net.ipv4.tcp_slow_start_after_idle and net.ipv4.tcp_notsent_lowat are allowed from policy v1.37",
};
const VERSION_SKEW: Record<string, Skew> = {
    "baseline/pass/sysctls1": SYSCTLS_1_37,
    "restricted/pass/sysctls1": SYSCTLS_1_37,
};

type Outcome = "admitted" | "psa" | "invalid" | "other";

interface Fixture {
    level: Level;
    expect: Expectation;
    name: string;
    file: string;
}

interface Result extends Fixture {
    status: number;
    message: string;
    outcome: Outcome;
    /** Agrees with the corpus (fail = rejected, pass = admitted). */
    agreed: boolean;
    /** Disagrees only because the engine's policy version predates the fixture's. */
    skew: boolean;
    /** `bulwark check` rejects the Pod in the same namespace (given the rendered Namespace). */
    checkRejects: boolean;
}

const keyOf = (f: Fixture): string => `${f.level}/${f.expect}/${f.name}`;

function classify(status: number, message: string): Outcome {
    if (status === 200 || status === 201) return "admitted";
    if (status === 403 && /violates PodSecurity/.test(message)) return "psa";
    if (status === 422) return "invalid";
    return "other";
}

/** Fixture names such as capabilities_baseline0 are not valid object names. */
const podName = (name: string): string => name.toLowerCase().replace(/[^a-z0-9.-]/g, "-");

function listFixtures(): Fixture[] {
    const out: Fixture[] = [];
    for (const level of LEVELS) {
        for (const expect of EXPECTATIONS) {
            const dir = path.join(CORPUS, level, expect);
            if (!fs.existsSync(dir)) continue;
            for (const f of fs.readdirSync(dir).sort()) {
                if (f.endsWith(".yaml") || f.endsWith(".yml")) {
                    out.push({ level, expect, name: f.replace(/\.ya?ml$/, ""), file: path.join(dir, f) });
                }
            }
        }
    }
    return out;
}

/** prod's own namespaces: a restricted tenant and the baseline platform namespace. */
const namespaceFor = (level: Level): string => (level === "restricted" ? "checkout" : "bulwark-system");
const renderedNamespaces = new Map<string, KubeObject>();

function printTable(results: Result[], engine: string): void {
    const rows: string[][] = [["level", "dir", "count", "agreed", "notes"]];
    const notes = (rs: Result[]): string => {
        const n: string[] = [];
        const invalid = rs.filter((r) => r.agreed && r.outcome === "invalid").length;
        const skew = rs.filter((r) => r.skew).length;
        if (invalid) n.push(`${invalid} rejected by validation (422) before PodSecurity`);
        if (skew) n.push(`${skew} policy-version skew`);
        return n.join("; ");
    };
    for (const level of LEVELS) {
        for (const expect of EXPECTATIONS) {
            const these = results.filter((r) => r.level === level && r.expect === expect);
            if (these.length === 0) continue;
            rows.push([level, expect, String(these.length), String(these.filter((r) => r.agreed).length), notes(these)]);
        }
    }
    const agreed = results.filter((r) => r.agreed).length;
    const pct = results.length ? ((100 * agreed) / results.length).toFixed(1) : "0.0";
    rows.push(["total", "", String(results.length), `${agreed} (${pct}%)`, notes(results)]);
    const checkAgreed = results.filter((r) => r.checkRejects === (r.outcome !== "admitted")).length;
    rows.push([
        "check",
        "",
        String(results.length),
        `${checkAgreed} (${((100 * checkAgreed) / Math.max(results.length, 1)).toFixed(1)}%)`,
        "bulwark check vs the server, same Pod, same Namespace",
    ]);
    const widths = [0, 1, 2, 3, 4].map((i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
    const lines = rows.map((r) =>
        r
            .map((c, i) => c.padEnd(widths[i] ?? 0))
            .join("  ")
            .trimEnd(),
    );
    // eslint-disable-next-line no-console
    console.log(`\n    PodSecurity corpus (${CORPUS}) vs kube-apiserver ${engine}, enforce-version=latest:\n` + lines.map((l) => `      ${l}`).join("\n"));
    const checkAgreedTotal = results.filter((r) => r.checkRejects === (r.outcome !== "admitted")).length;
    // eslint-disable-next-line no-console
    console.log(
        `\n  kube-apiserver ${engine} PodSecurity: ${agreed}/${results.length} corpus Pods agree with the fixtures, ${checkAgreedTotal}/${results.length} with bulwark check\n`,
    );
    for (const r of results.filter((x) => !x.agreed)) {
        const why = r.skew ? ` [expected: ${VERSION_SKEW[keyOf(r)]?.why ?? ""}]` : "";
        // eslint-disable-next-line no-console
        console.log(`      disagrees: ${keyOf(r)}: HTTP ${r.status} ${r.message}${why}`);
    }
}

describe("engine: Pod Security Admission corpus on a real kube-apiserver", function () {
    this.timeout(600_000);

    const fixtures = listFixtures();
    const results: Result[] = [];
    let api: ApiServer | undefined;
    let engineMinor = 0;
    let engineVersion = "?";

    before(async function () {
        // Absent corpus: fails under CI=true, otherwise skips naming the upstream data it needs.
        requireSharedDir(this, CORPUS);
        try {
            api = await startApiServer();
        } catch (err) {
            skipOrFail(this, err);
        }
        const version: ApiResponse = await api!.request("GET", "/version");
        assert.equal(version.status, 200, `GET /version: ${JSON.stringify(version.body)}`);
        engineVersion = String(version.body.gitVersion);
        engineMinor = parseInt(String(version.body.minor), 10);
        assert.ok(engineMinor > 0, `cannot parse the server minor version from ${JSON.stringify(version.body)}`);
        for (const stack of stackNames) {
            const namespaces = kubernetesObjects(await renderStackFile(stack)).filter((o) => o.kind === "Namespace") as KubeObject[];
            assert.ok(namespaces.length > 0, `stack ${stack} renders no Namespace`);
            for (const ns of namespaces) {
                const res: ApiResponse = await api!.apply(ns, { dryRun: stack !== "prod" });
                assert.equal(res.status, 201, `${stack}: namespace ${ns.metadata?.name}: ${JSON.stringify(res.body)}`);
                if (stack === "prod") renderedNamespaces.set(String(ns.metadata?.name), ns);
            }
        }
        for (const level of LEVELS) {
            const labels = (renderedNamespaces.get(namespaceFor(level))?.metadata?.labels ?? {}) as Record<string, string>;
            assert.equal(labels["pod-security.kubernetes.io/enforce"], level, `prod's ${namespaceFor(level)} must enforce ${level}`);
        }
    });

    after(async function () {
        if (results.length > 0) printTable(results, engineVersion);
        await api?.stop();
    });

    it("finds the upstream corpus (baseline and restricted, pass and fail)", function () {
        for (const level of LEVELS) {
            for (const expect of EXPECTATIONS) {
                const n = fixtures.filter((f) => f.level === level && f.expect === expect).length;
                assert.ok(n > 0, `no fixtures in ${path.join(CORPUS, level, expect)} (${UPSTREAM})`);
            }
        }
    });

    for (const fx of fixtures) {
        const key = keyOf(fx);
        const verb = fx.expect === "pass" ? "admitted" : "rejected";
        it(`${key} is ${verb}`, async function () {
            const pod = parse(fs.readFileSync(fx.file, "utf8")) as KubeObject;
            assert.equal(pod.kind, "Pod", `${fx.file} is not a Pod`);
            pod.metadata = { ...(pod.metadata ?? {}), name: podName(fx.name), namespace: namespaceFor(fx.level) };

            const res: ApiResponse = await api!.apply(pod, { dryRun: true });
            const message = typeof res.body === "object" && res.body !== null ? String(res.body.message ?? "") : String(res.body ?? "");
            const outcome = classify(res.status, message);
            const validationRule = fx.expect === "fail" ? REJECTED_BY_VALIDATION[key] : undefined;
            const agreed =
                fx.expect === "pass"
                    ? outcome === "admitted"
                    : outcome === "psa" || (outcome === "invalid" && validationRule !== undefined && validationRule.test(message));
            const skewRule = VERSION_SKEW[key];
            const skewed = skewRule !== undefined && engineMinor < skewRule.since;
            const skew = skewed && !agreed && outcome === skewRule.before.outcome && skewRule.before.message.test(message);
            const namespace = renderedNamespaces.get(namespaceFor(fx.level))!;
            const checkRejects = checkObjects([
                { file: "<rendered>", documentIndex: "0", object: namespace as Record<string, unknown> },
                { file: fx.file, documentIndex: "0", object: pod as Record<string, unknown> },
            ]).some((v) => v.kind === "Pod" && v.guardrail.startsWith("pss-"));
            results.push({ ...fx, status: res.status, message, outcome, agreed, skew, checkRejects });

            const got = `got HTTP ${res.status}: ${message}`;
            if (!skewed) {
                assert.equal(
                    checkRejects,
                    outcome !== "admitted",
                    `bulwark check ${checkRejects ? "rejects" : "admits"} what the server ${outcome === "admitted" ? "admits" : "rejects"}: ${got}`,
                );
            }
            if (skewed) {
                assert.ok(
                    skew,
                    `engine policy v1.${engineMinor} predates v1.${skewRule.since} (${skewRule.why}); ` +
                        `expected the older policy's answer (${skewRule.before.outcome} matching ${skewRule.before.message}), ${got}`,
                );
            } else if (fx.expect === "fail") {
                assert.ok(
                    agreed,
                    validationRule
                        ? `expected rejection by PodSecurity (403) or by validation (422 matching ${validationRule}), ${got}`
                        : `expected a PodSecurity rejection (HTTP 403 "violates PodSecurity"), ${got}`,
                );
            } else {
                assert.ok(agreed, `expected the Pod to be admitted, ${got}`);
            }
        });
    }
});
