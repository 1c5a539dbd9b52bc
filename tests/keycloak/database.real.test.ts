import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderPgHba } from "../../components/postgres/values";
import { runKeycloakDatabaseSetup } from "../harness/real/keycloak";
import { pacstackPostgresSettings } from "../harness/real/pacstack-postgres";
import { createTestPki, TestPki } from "../harness/real/pki";
import { PostgresServer, psqlClient, startPostgres } from "../harness/real/postgres";
import { freePort, stopAllProcesses } from "../harness/real/processes";

/**
 * The Job that gives Keycloak its own database and user in pacstack's PostgreSQL (renderDatabaseSetupScript and
 * renderDatabaseSetupSql, run by Debian's bash and psql as the Job runs them in the PostgreSQL image), against a real
 * PostgreSQL with pacstack's pg_hba.conf and settings: created when missing, password set on every run, data kept,
 * nobody else admitted.
 */
describe("keycloak: its database and user in pacstack's PostgreSQL (real PostgreSQL)", function () {
    this.timeout(120_000);
    let work: string;
    let pki: TestPki;
    let postgres: PostgresServer;
    let superuserPassword: string;
    const connect = (user: string, password: string, query: string, database = "keycloak") =>
        psqlClient(`host=localhost port=${postgres.port} dbname=${database} user=${user} sslmode=verify-full password=${password}`, query, { PGSSLROOTCERT: pki.ca.cert });
    const setup = (password: string, superuser = superuserPassword) =>
        runKeycloakDatabaseSetup({ dir: mkdtempSync(join(work, "setup-")), postgres, caCertFile: pki.ca.cert, superuserPassword: superuser, password });

    before(async () => {
        work = mkdtempSync(join(tmpdir(), "pacstack-keycloak-db-"));
        chmodSync(work, 0o711);
        pki = await createTestPki(join(work, "pki"));
        postgres = await startPostgres({
            dir: join(work, "postgres"),
            port: await freePort(),
            tls: { cert: pki.server.cert, key: pki.server.key },
            hba: renderPgHba(),
            settings: pacstackPostgresSettings(),
            logName: "keycloak-db-postgres",
        });
        superuserPassword = postgres.superuserPassword;
        await postgres.createRoleAndDatabase("orthanc", "orthanc");
    });
    after(async () => {
        await postgres?.stop();
        await stopAllProcesses();
        if (work) rmSync(work, { recursive: true, force: true });
    });

    it("creates the database and user; the user signs in over verified TLS only and owns the database", async () => {
        const password = randomBytes(16).toString("hex");
        const run = await setup(password);
        assert.equal(run.code, 0, run.output);
        assert.match(run.stdout, /database keycloak and user keycloak ready/);
        assert.doesNotMatch(run.output, new RegExp(password), "the password is never printed");
        const session = await connect("keycloak", password, "select current_user, ssl from pg_stat_ssl where pid = pg_backend_pid()");
        assert.equal(session.code, 0, session.output);
        assert.equal(session.stdout.trim(), "keycloak|t");
        assert.equal(await postgres.sql("select pg_get_userbyid(datdba) from pg_database where datname = 'keycloak'"), "keycloak");
        assert.equal(await postgres.sql("select rolsuper or rolcreatedb or rolcreaterole from pg_roles where rolname = 'keycloak'"), "f");
        const plain = await psqlClient(`host=localhost port=${postgres.port} dbname=keycloak user=keycloak sslmode=disable password=${password}`, "select 1", {});
        assert.notEqual(plain.code, 0, "an unencrypted session is refused");
    });

    it("admits no other role to Keycloak's database", async () => {
        const orthancPassword = randomBytes(16).toString("hex");
        await postgres.sql(`ALTER ROLE orthanc PASSWORD '${orthancPassword}'`);
        const other = await connect("orthanc", orthancPassword, "select 1");
        assert.notEqual(other.code, 0);
        assert.match(other.output, /permission denied for database "keycloak"/);
    });

    it("runs again without harm: the data stays, the new password replaces the old one", async () => {
        const first = randomBytes(16).toString("hex");
        assert.equal((await setup(first)).code, 0);
        assert.equal((await connect("keycloak", first, "create table kept (id int); insert into kept values (42)")).code, 0);
        const second = randomBytes(16).toString("hex");
        const again = await setup(second);
        assert.equal(again.code, 0, again.output);
        assert.notEqual((await connect("keycloak", first, "select 1")).code, 0, "the old password no longer works");
        const kept = await connect("keycloak", second, "select id from kept");
        assert.equal(kept.code, 0, kept.output);
        assert.equal(kept.stdout.trim(), "42");
    });

    it("fails (non-zero, in time) when the superuser password is wrong", async () => {
        const refused = await runKeycloakDatabaseSetup({
            dir: mkdtempSync(join(work, "setup-")), postgres, caCertFile: pki.ca.cert, superuserPassword: "wrong", password: "x".repeat(32), waitSeconds: 6,
        });
        assert.notEqual(refused.code, 0);
        assert.match(refused.stderr, /did not accept the superuser in time/);
    });

    it("refuses a server whose certificate another CA signed (verify-full)", async () => {
        const rogue = await runKeycloakDatabaseSetup({
            dir: mkdtempSync(join(work, "setup-")), postgres, caCertFile: pki.rogueCa.cert, superuserPassword, password: "x".repeat(32), waitSeconds: 6,
        });
        assert.notEqual(rogue.code, 0);
        assert.match(rogue.stderr, /certificate verify failed/);
    });
});
