import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderDatabaseArgs } from "../../components/dcm4chee/env";
import { renderDatabaseHba } from "../../components/dcm4chee/scripts";
import { createTestPki, TestPki } from "../harness/real/pki";
import { PostgresServer, psqlClient, startPostgres } from "../harness/real/postgres";
import { freePort, stopAllProcesses } from "../harness/real/processes";

/**
 * dcm4chee's database settings as pacstack renders them (pg_hba.conf and the TLS options of renderDatabaseArgs), on
 * Debian's PostgreSQL 15 (the dcm4che image runs 17; these settings mean the same there): a plain TCP session is
 * refused, a session that verifies the server's certificate and name against the pacstack CA (the archive's JDBC
 * sslmode=verify-full) is accepted and encrypted, a client trusting another CA refuses the server.
 */
describe("dcm4chee: its database admits TCP sessions only over TLS (real PostgreSQL)", function () {
    this.timeout(60_000);
    let work: string;
    let pki: TestPki;
    let postgres: PostgresServer;
    let password: string;
    const conninfo = (sslmode: string) => `host=localhost port=${postgres.port} dbname=pacsdb user=pacs sslmode=${sslmode} password=${password}`;
    /** The rendered `-c name=value` options, without the files (the harness places certificate and key itself). */
    const rendered = Object.fromEntries(
        renderDatabaseArgs()
            .filter((arg) => arg.includes("="))
            .map((arg) => arg.split("=", 2) as [string, string])
            .filter(([name]) => !["ssl_cert_file", "ssl_key_file", "hba_file"].includes(name)),
    );

    before(async () => {
        work = mkdtempSync(join(tmpdir(), "pacstack-dcm4chee-db-"));
        chmodSync(work, 0o711);
        pki = await createTestPki(join(work, "pki"));
        assert.deepEqual(rendered, { ssl: "on", ssl_min_protocol_version: "TLSv1.2" });
        postgres = await startPostgres({
            dir: join(work, "postgres"),
            port: await freePort(),
            tls: { cert: pki.server.cert, key: pki.server.key },
            hba: renderDatabaseHba(),
            settings: rendered,
            logName: "dcm4chee-postgres",
        });
        password = await postgres.createRoleAndDatabase("pacs", "pacsdb");
    });
    after(async () => {
        await postgres?.stop();
        await stopAllProcesses();
        if (work) rmSync(work, { recursive: true, force: true });
    });

    it("refuses a TCP session without TLS, whatever the password", async () => {
        const plain = await psqlClient(conninfo("disable"), "select 1", {});
        assert.notEqual(plain.code, 0, plain.output);
        assert.match(plain.output, /no pg_hba\.conf entry for host "127\.0\.0\.1", user "pacs", database "pacsdb", no encryption/);
    });

    it("accepts a session that verifies the server's certificate and name (verify-full), and it is encrypted", async () => {
        const query = "select ssl from pg_stat_ssl where pid = pg_backend_pid()";
        const tls = await psqlClient(conninfo("verify-full"), query, { PGSSLROOTCERT: pki.ca.cert });
        assert.equal(tls.code, 0, tls.output);
        assert.equal(tls.stdout.trim(), "t");
    });

    it("a client trusting another CA refuses the server (the check the archive's sslrootcert makes)", async () => {
        const rogue = await psqlClient(conninfo("verify-full"), "select 1", { PGSSLROOTCERT: pki.rogueCa.cert });
        assert.notEqual(rogue.code, 0);
        assert.match(rogue.output, /certificate verify failed/);
    });
});
