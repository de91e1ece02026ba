import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { runCli as run } from "../support/cli";
import { checkObjects } from "../../cli/check";
import { fixManifestText } from "../../cli/fix";
import { readManifests } from "../../cli/input";
import { defaultMutationContext } from "../../components/guardrails/mutations/context";

const unsized = `# the web tier
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      securityContext:
        runAsNonRoot: true   # images run as uid 10001
      containers:
        - name: web
          image: registry.k8s.io/pause:3.10
          securityContext: ~
`;
const compliant = `apiVersion: v1
kind: Pod
metadata: {name: ok, namespace: kube-system}
spec:
  containers: [{name: a, image: registry.k8s.io/pause:3.10}]
`;


describe("bulwark fix", () => {
    let dir: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-fix-"));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("fills in every default, keeps comments, and the result passes the restricted guardrails check ran before", () => {
        const file = path.join(dir, "web.yaml");
        const before = checkObjects(readManifests([(fs.writeFileSync(file, unsized), file)]).objects, {}).map((violation) => violation.guardrail);
        assert.ok(before.includes("pss-seccomp-restricted") && before.includes("pss-allow-privilege-escalation") && before.includes("resources-requests-limits"), before.join(", "));
        const fixed = fixManifestText(unsized, file, defaultMutationContext());
        assert.match(fixed.text, /# the web tier/);
        assert.match(fixed.text, /runAsNonRoot: true +# images run as uid 10001/);
        fs.writeFileSync(file, fixed.text);
        assert.deepStrictEqual(checkObjects(readManifests([file]).objects, {}).map((violation) => violation.guardrail), []);
        assert.deepStrictEqual(fixed.changes.map((change) => change.field), [
            "spec.template.spec.securityContext.seccompProfile",
            "spec.template.spec.containers[web].securityContext.allowPrivilegeEscalation",
            "spec.template.spec.containers[web].securityContext.capabilities.drop",
            "spec.template.spec.containers[web].resources.requests.cpu",
            "spec.template.spec.containers[web].resources.requests.memory",
            "spec.template.spec.containers[web].resources.limits.memory",
        ]);
    });

    it("leaves text it does not change byte for byte, and defaults the items of a List", () => {
        assert.strictEqual(fixManifestText(compliant, "x.yaml", defaultMutationContext()).text, compliant);
        const list = `apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Pod\n    metadata: {name: p, namespace: shop}\n    spec:\n      containers: [{name: a, image: registry.k8s.io/pause:3.10}]\n`;
        const fixed = fixManifestText(list, "list.yaml", defaultMutationContext());
        assert.strictEqual(fixed.changes[0].documentIndex, "0.items[0]");
        const pod = (yaml.load(fixed.text) as { items: { spec: { securityContext: unknown } }[] }).items[0];
        assert.deepStrictEqual(pod.spec.securityContext, { seccompProfile: { type: "RuntimeDefault" } });
    });

    it("prints the defaulted YAML and reports each field on stderr; --write rewrites only changed files", async () => {
        const web = path.join(dir, "web.yaml");
        const system = path.join(dir, "system.yaml");
        fs.writeFileSync(web, unsized);
        fs.writeFileSync(system, compliant);
        const printed = await run(["fix", web, system]);
        assert.strictEqual(printed.code, 0);
        assert.match(printed.stdout, /seccompProfile:\n\s+type: RuntimeDefault/);
        assert.match(printed.stderr, new RegExp(`${web.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}#0 Deployment shop/web: pod-seccomp-default: spec.template.spec.securityContext.seccompProfile = \\{"type":"RuntimeDefault"\\}`));
        assert.match(printed.stderr, /6 field\(s\) defaulted in 1 file\(s\), 0 unreadable input\(s\)/);
        assert.strictEqual(fs.readFileSync(web, "utf8"), unsized, "without --write nothing is written");
        const systemStat = fs.statSync(system).mtimeMs;
        const written = await run(["fix", "--write", dir]);
        assert.strictEqual(written.code, 0);
        assert.match(fs.readFileSync(web, "utf8"), /allowPrivilegeEscalation: false/);
        assert.strictEqual(fs.statSync(system).mtimeMs, systemStat);
    });

    it("a stack's off switch and resource defaults apply (--config)", async () => {
        const config = path.join(dir, "Pulumi.test.yaml");
        fs.writeFileSync(
            config,
            "config:\n  bulwark:platform:\n    mutations:\n      resources: {cpuRequest: 250m}\n      disabled:\n        - id: pod-seccomp-default\n          reason: Profiles are set by the node's runtime class in this cluster.\n",
        );
        const web = path.join(dir, "web.yaml");
        fs.writeFileSync(web, unsized);
        const result = await run(["fix", "--config", config, web]);
        assert.strictEqual(result.code, 0);
        assert.doesNotMatch(result.stderr, /pod-seccomp-default/);
        assert.match(result.stdout, /cpu: 250m/);
    });

    it("refuses --write with stdin, and reports unreadable input with exit 2", async () => {
        const stdin = await run(["fix", "--write", "-"]);
        assert.strictEqual(stdin.code, 2);
        assert.match(stdin.stderr, /cannot rewrite stdin/);
        const broken = path.join(dir, "broken.yaml");
        fs.writeFileSync(broken, "kind: [unclosed\n");
        const result = await run(["fix", broken, path.join(dir, "missing.yaml")]);
        assert.strictEqual(result.code, 2);
        assert.match(result.stderr, /broken\.yaml: cannot parse/);
        assert.match(result.stderr, /missing\.yaml: cannot read: no such file or directory/);
    });
});
