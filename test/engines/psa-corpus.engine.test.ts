// Engine test: the upstream Pod Security Admission fixtures against a real
// kube-apiserver (built from k8s.io/kubernetes at the pinned version).
//
// Every Pod under shared/corpora/pod-security-admission/<level>/{pass,fail}/
// is created with server-side dry run (?dryRun=All) in a namespace enforcing
// <level> (enforce-version=latest).  fail/ Pods must be rejected by PodSecurity
// (HTTP 403, "violates PodSecurity"), pass/ Pods must be admitted.
//
// Run: mocha -r ts-node/register 'test/engines/**/*.engine.test.ts' --timeout 600000

import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';

import { ApiResponse, ApiServer, KubeObject, startApiServer } from './harness/apiserver';
import { isCI, skipOrFail } from './harness/engines';

const CORPUS = path.resolve(__dirname, '../../../shared/corpora/pod-security-admission');
const UPSTREAM = 'github.com/kubernetes/pod-security-admission test/testdata';
const LEVELS = ['baseline', 'restricted'] as const;
const EXPECTATIONS = ['pass', 'fail'] as const;
type Level = (typeof LEVELS)[number];
type Expectation = (typeof EXPECTATIONS)[number];

interface Fixture {
  level: Level;
  expect: Expectation;
  name: string;
  file: string;
}

interface Outcome extends Fixture {
  status: number;
  message: string;
  agreed: boolean;
}

function listFixtures(): Fixture[] {
  const out: Fixture[] = [];
  for (const level of LEVELS) {
    for (const expect of EXPECTATIONS) {
      const dir = path.join(CORPUS, level, expect);
      if (!fs.existsSync(dir)) continue;
      for (const f of fs.readdirSync(dir).sort()) {
        if (f.endsWith('.yaml') || f.endsWith('.yml')) {
          out.push({ level, expect, name: f.replace(/\.ya?ml$/, ''), file: path.join(dir, f) });
        }
      }
    }
  }
  return out;
}

const namespaceFor = (level: Level): string => `bulwark-psa-${level}`;

function printTable(outcomes: Outcome[]): void {
  const rows: string[][] = [['level', 'dir', 'count', 'agreed']];
  for (const level of LEVELS) {
    for (const expect of EXPECTATIONS) {
      const these = outcomes.filter((o) => o.level === level && o.expect === expect);
      if (these.length === 0) continue;
      rows.push([level, expect, String(these.length), String(these.filter((o) => o.agreed).length)]);
    }
  }
  const agreed = outcomes.filter((o) => o.agreed).length;
  const pct = outcomes.length ? ((100 * agreed) / outcomes.length).toFixed(1) : '0.0';
  rows.push(['total', '', String(outcomes.length), `${agreed} (${pct}%)`]);
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const lines = rows.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd());
  // eslint-disable-next-line no-console
  console.log(`\n    PodSecurity corpus vs kube-apiserver:\n${lines.map((l) => `      ${l}`).join('\n')}`);
  for (const o of outcomes.filter((x) => !x.agreed)) {
    // eslint-disable-next-line no-console
    console.log(`      DISAGREE ${o.level}/${o.expect}/${o.name}: HTTP ${o.status} ${o.message}`);
  }
}

describe('engine: Pod Security Admission corpus on a real kube-apiserver', function () {
  this.timeout(600_000);

  const fixtures = listFixtures();
  const outcomes: Outcome[] = [];
  let api: ApiServer | undefined;

  before(async function () {
    if (fixtures.length === 0) {
      const msg =
        `Pod Security Admission corpus not found (or empty) at ${CORPUS}; it holds the upstream fixtures ` +
        `from ${UPSTREAM} as <level>/{pass,fail}/*.yaml`;
      if (isCI()) throw new Error(msg);
      // eslint-disable-next-line no-console
      console.warn(`      skipping: ${msg}`);
      this.skip();
    }
    try {
      api = await startApiServer();
    } catch (err) {
      skipOrFail(this, err);
    }
    for (const level of LEVELS) {
      const ns: KubeObject = {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name: namespaceFor(level),
          labels: {
            'pod-security.kubernetes.io/enforce': level,
            'pod-security.kubernetes.io/enforce-version': 'latest',
          },
        },
      };
      const res: ApiResponse = await api!.apply(ns);
      assert.equal(res.status, 201, `creating namespace ${namespaceFor(level)}: ${JSON.stringify(res.body)}`);
    }
  });

  after(async function () {
    if (outcomes.length > 0) printTable(outcomes);
    await api?.stop();
  });

  it('finds the upstream corpus (baseline and restricted, pass and fail)', function () {
    for (const level of LEVELS) {
      for (const expect of EXPECTATIONS) {
        const n = fixtures.filter((f) => f.level === level && f.expect === expect).length;
        assert.ok(n > 0, `no fixtures in ${path.join(CORPUS, level, expect)} (${UPSTREAM})`);
      }
    }
  });

  for (const fx of fixtures) {
    it(`${fx.level}/${fx.expect}/${fx.name} is ${fx.expect === 'pass' ? 'admitted' : 'rejected'}`, async function () {
      const pod = parse(fs.readFileSync(fx.file, 'utf8')) as KubeObject;
      assert.equal(pod.kind, 'Pod', `${fx.file} is not a Pod`);
      pod.metadata = { ...(pod.metadata ?? {}), namespace: namespaceFor(fx.level) };

      const res: ApiResponse = await api!.apply(pod, { dryRun: true });
      const message: string = typeof res.body === 'object' && res.body ? String(res.body.message ?? '') : String(res.body);
      const rejectedByPSA = res.status === 403 && /violates PodSecurity/.test(message);
      const admitted = res.status === 201 || res.status === 200;
      const agreed = fx.expect === 'fail' ? rejectedByPSA : admitted;
      outcomes.push({ ...fx, status: res.status, message, agreed });

      if (fx.expect === 'fail') {
        assert.ok(rejectedByPSA, `expected a PodSecurity rejection (HTTP 403), got HTTP ${res.status}: ${message}`);
      } else {
        assert.ok(admitted, `expected the Pod to be admitted, got HTTP ${res.status}: ${message}`);
      }
    });
  }
});
