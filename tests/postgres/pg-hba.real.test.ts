import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderPgHba } from "../../components/postgres/values";
import { createTestPki, TestPki } from "../harness/real/pki";
import { PostgresServer, psqlClient, startPostgres } from "../harness/real/postgres";
import { freePort, stopAllProcesses } from "../harness/real/processes";

/**
 * The pg_hba.conf pacstack gives the chart, on a real PostgreSQL: a session without TLS is refused even with the
 * right password, a TLS session whose client verifies the server against the pacstack CA is accepted (and uses
 * TLS), a wrong password is refused over TLS too.
 */
describe("postgres: the rendered pg_hba.conf admits only TLS sessions with SCRAM (real PostgreSQL)", function () {
    this.timeout(60_000);
    let work: string;
    let pki: TestPki;
    let postgres: PostgresServer;
    let password: string;
    const conninfo = (sslmode: string, pass = password) => `host=127.0.0.1 port=${postgres.port} dbname=orthanc user=orthanc sslmode=${sslmode} password=${pass}`;

    before(async () => {
        work = mkdtempSync(join(tmpdir(), "pacstack-pg-hba-"));
        chmodSync(work, 0o711);
        pki = await createTestPki(join(work, "pki"));
        postgres = await startPostgres({ dir: join(work, "postgres"), port: await freePort(), tls: { cert: pki.server.cert, key: pki.server.key }, hba: renderPgHba() });
        password = await postgres.createRoleAndDatabase("orthanc", "orthanc");
    });
    after(async () => {
        await postgres?.stop();
        await stopAllProcesses();
        if (work) rmSync(work, { recursive: true, force: true });
    });

    it("refuses a session without TLS, whatever the password", async () => {
        const plain = await psqlClient(conninfo("disable"), "select 1", {});
        assert.notEqual(plain.code, 0, plain.output);
        assert.match(plain.output, /pg_hba\.conf rejects connection for host "127\.0\.0\.1", user "orthanc", database "orthanc", no encryption/);
    });

    it("accepts a TLS session that verifies the server against the pacstack CA, and it is encrypted", async () => {
        const query = "select ssl from pg_stat_ssl where pid = pg_backend_pid()";
        const tls = await psqlClient(conninfo("verify-ca"), query, { PGSSLROOTCERT: pki.ca.cert });
        assert.equal(tls.code, 0, tls.output);
        assert.equal(tls.stdout.trim(), "t");
    });

    it("refuses a wrong password over TLS (SCRAM is checked, not trusted)", async () => {
        const wrong = await psqlClient(conninfo("verify-ca", "not-the-password"), "select 1", { PGSSLROOTCERT: pki.ca.cert });
        assert.notEqual(wrong.code, 0);
        assert.match(wrong.output, /password authentication failed for user "orthanc"/);
    });

    it("the client's CA check has teeth: a server the client's CA did not sign is refused by the client", async () => {
        const rogue = await psqlClient(conninfo("verify-ca"), "select 1", { PGSSLROOTCERT: pki.rogueCa.cert });
        assert.notEqual(rogue.code, 0);
        assert.match(rogue.output, /certificate verify failed/);
    });
});
