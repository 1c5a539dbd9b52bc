import assert from "node:assert/strict";
import { PlatformConfigError, validatePlatformConfig } from "../../components/config/validate";

/** The smallest valid configuration; tests add the keys they examine. */
export const valid = { platform: "minikube", domain: "pacs.example.org" };

/** The problems validation reports for `raw`; fails the test if `raw` is accepted. */
export function problemsOf(raw: Record<string, unknown>): string[] {
    try {
        validatePlatformConfig(raw);
    } catch (error) {
        assert.ok(error instanceof PlatformConfigError, `expected PlatformConfigError, got ${error}`);
        return error.problems;
    }
    assert.fail("expected the configuration to be rejected");
}
