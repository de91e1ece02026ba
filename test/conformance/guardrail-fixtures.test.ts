import * as assert from "assert";
import * as path from "path";
import { checkObjects } from "../../cli/check";
import { readManifests } from "../../cli/input";
import { catalog, crossObjectCatalog } from "../../components/guardrails/catalog";
import { expectedMessageAnnotation, fixtureSettings, fixturesOf } from "../support/fixtures";

describe("guardrail catalog fixtures", () => {
    it("guardrail ids are unique and well-formed", () => {
        const ids = [...catalog, ...crossObjectCatalog].map((guardrail) => guardrail.id);
        assert.deepStrictEqual([...new Set(ids)], ids);
        for (const id of ids) assert.match(id, /^[a-z0-9]+(-[a-z0-9]+)*$/);
    });

    for (const guardrail of [...catalog, ...crossObjectCatalog]) {
        describe(`${guardrail.id} (${path.relative(path.resolve(__dirname, "../.."), guardrail.fixturesDir)})`, () => {
            const fixtures = fixturesOf(guardrail);

            it("has at least one pass and one fail fixture", () => {
                assert.ok(fixtures.some((fixture) => fixture.outcome === "pass"), `${guardrail.id} has no pass-*.yaml fixture`);
                assert.ok(fixtures.some((fixture) => fixture.outcome === "fail"), `${guardrail.id} has no fail-*.yaml fixture`);
            });

            for (const fixture of fixtures) {
                it(`${path.basename(fixture.file)} ${fixture.outcome === "pass" ? "passes" : "fails with the expected message"}`, () => {
                    const { objects, problems } = readManifests([fixture.file]);
                    assert.deepStrictEqual(problems, []);
                    const messages = checkObjects(objects, { settings: fixtureSettings(guardrail) })
                        .filter((violation) => violation.guardrail === guardrail.id)
                        .map((violation) => violation.message);
                    if (fixture.outcome === "pass") {
                        assert.deepStrictEqual(messages, []);
                        return;
                    }
                    assert.ok(messages.length > 0, `${guardrail.id} did not fire on ${fixture.file}`);
                    const expected = objects
                        .map(({ object }) => (object.metadata as { annotations?: Record<string, string> } | undefined)?.annotations?.[expectedMessageAnnotation])
                        .filter((message): message is string => message !== undefined);
                    assert.ok(expected.length > 0, `${fixture.file} must state its expected message in the ${expectedMessageAnnotation} annotation`);
                    for (const message of expected) assert.ok(messages.includes(message), `expected "${message}" among ${JSON.stringify(messages)}`);
                });
            }
        });
    }
});
