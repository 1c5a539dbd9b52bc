import assert from "node:assert/strict";
import { validatePlatformConfig } from "../../components/config/validate";
import { problemsOf, valid } from "./problems";

describe("config: pacstack:keycloak", () => {
    it("defaults: one replica of the official image 26.7.3, chart 7.1.11, Node 24 for the sync Job, passwords of 12 or more", () => {
        const { keycloak } = validatePlatformConfig(valid);
        assert.equal(keycloak.replicas, 1);
        assert.deepEqual(keycloak.image, { registry: "quay.io", repository: "keycloak/keycloak", tag: "26.7.3" });
        assert.equal(keycloak.chartVersion, "7.1.11");
        assert.deepEqual(keycloak.syncImage, { registry: "docker.io", repository: "library/node", tag: "24.21.0-alpine" });
        assert.equal(keycloak.passwordMinLength, 12);
        const set = validatePlatformConfig({ ...valid, keycloak: { replicas: 3, image: "docker.io/keycloak/keycloak:26.7.3", passwordMinLength: 16 } });
        assert.deepEqual([set.keycloak.replicas, set.keycloak.image.registry, set.keycloak.passwordMinLength], [3, "docker.io", 16]);
    });

    it("refuses, naming the key, the value and what is allowed: Bitnami's or any other image, an unpinned one, bad numbers, unknown fields", () => {
        const cases: [Record<string, unknown>, RegExp][] = [
            [{ image: "docker.io/bitnami/keycloak:26.3.2" }, /^pacstack:keycloak\.image = "docker\.io\/bitnami\/keycloak:26\.3\.2": must be the official image keycloak\/keycloak/],
            [{ image: "quay.io/keycloak/keycloak:latest" }, /^pacstack:keycloak\.image = .*pinned by tag or digest/],
            [{ replicas: 0 }, /^pacstack:keycloak\.replicas = 0: must be an integer from 1 to 10/],
            [{ passwordMinLength: 4 }, /^pacstack:keycloak\.passwordMinLength = 4: must be an integer from 8 to 128/],
            [{ chartVersion: "7" }, /^pacstack:keycloak\.chartVersion = "7": must be an exact chart version/],
            [{ syncImage: "node" }, /^pacstack:keycloak\.syncImage = "node": must be an image reference pinned/],
            [{ replica: 2 }, /^pacstack:keycloak\.replica = 2: unknown field; .*did you mean pacstack:keycloak\.replicas\?/],
        ];
        for (const [keycloak, expected] of cases) {
            const problems = problemsOf({ ...valid, keycloak });
            assert.equal(problems.length, 1, problems.join("\n"));
            assert.match(problems[0], expected);
        }
    });
});
