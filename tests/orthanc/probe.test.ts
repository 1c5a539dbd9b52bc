import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, Server } from "node:http";
import { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { LIVENESS_PATH, READINESS_PATH, renderProbeScript } from "../../components/orthanc/probe";

/** Runs the probe with python3 against a stand-in Orthanc that answers `system` on /system. */
describe("orthanc: probe script (python3 against a stand-in server)", () => {
    let server: Server;
    let system: Record<string, unknown>;
    let seenAuthorization: string | undefined;
    let credentials: string;

    before(async () => {
        server = createServer((request, response) => {
            seenAuthorization = request.headers.authorization;
            if (request.headers.authorization !== `Basic ${Buffer.from("admin:right").toString("base64")}`) {
                response.writeHead(401).end();
            } else if (request.url === "/system") {
                response.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(system));
            } else {
                response.writeHead(request.url === "/changes?last" ? 200 : 404).end("{}");
            }
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        credentials = join(mkdtempSync(join(tmpdir(), "pacstack-probe-")), "credentials.json");
    });
    after(() => server.close());

    async function probe(path: string, password = "right"): Promise<number> {
        writeFileSync(credentials, JSON.stringify({ RegisteredUsers: { admin: password } }));
        const script = renderProbeScript(credentials, (server.address() as AddressInfo).port);
        try {
            await promisify(execFile)("python3", ["-c", script, path]);
            return 0;
        } catch (error) {
            return (error as { code: number }).code;
        }
    }

    it("passes when Orthanc answers with its database plugin loaded", async () => {
        system = { DatabaseBackendPlugin: "/usr/share/orthanc/plugins-available/libOrthancPostgreSQLIndex.so" };
        assert.equal(await probe(LIVENESS_PATH), 0);
        assert.equal(await probe(READINESS_PATH), 0);
        assert.equal(seenAuthorization, `Basic ${Buffer.from("admin:right").toString("base64")}`);
    });

    it("fails when Orthanc runs without the database plugin", async () => {
        system = { DatabaseBackendPlugin: null };
        assert.notEqual(await probe(LIVENESS_PATH), 0);
    });

    it("fails on a rejected credential", async () => {
        system = { DatabaseBackendPlugin: "x" };
        assert.notEqual(await probe(READINESS_PATH, "wrong"), 0);
    });
});
