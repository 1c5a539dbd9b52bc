/**
 * Keycloak's own database and user in pacstack's PostgreSQL. The chart's `auth.database` makes only the first
 * application's database, and its init scripts run only on an empty volume, so a Job (in the PostgreSQL image, whose
 * psql it uses) creates them when missing and sets the user's password from the Secret on every run: idempotent,
 * over TLS with the server's certificate and name verified, as the PostgreSQL superuser.
 */

/** Where the Job finds its inputs (mounted from Secrets); the tests point them elsewhere. */
export const DATABASE_SETUP_ENV = {
    /** The `postgres` superuser's password, a file (libpq's PGPASSWORD is set from it). */
    superuserPasswordFile: "PGPASSWORD_FILE",
    /** The keycloak user's password, a file. */
    passwordFile: "KEYCLOAK_DB_PASSWORD_FILE",
    database: "KEYCLOAK_DB_NAME",
    user: "KEYCLOAK_DB_USER",
    /** Seconds to wait for PostgreSQL to accept the superuser. */
    waitSeconds: "WAIT_SECONDS",
} as const;

/**
 * The SQL the Job runs with psql (`-v db=... -v role=...`, the password read from its file by psql itself, never
 * on a command line). The database refuses every other role (CONNECT revoked from PUBLIC).
 */
export function renderDatabaseSetupSql(): string {
    return [
        "\\set ON_ERROR_STOP on",
        `\\set password \`cat "$${DATABASE_SETUP_ENV.passwordFile}"\``,
        "SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE', :'role') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \\gexec",
        "ALTER ROLE :\"role\" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'password';",
        "SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'role') WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \\gexec",
        "REVOKE ALL ON DATABASE :\"db\" FROM PUBLIC;",
        "",
    ].join("\n");
}

/**
 * The Job's shell program: waits for PostgreSQL (libpq settings from PG* variables: host, port, superuser,
 * sslmode=verify-full, PGSSLROOTCERT; the superuser's password from its file), then runs the SQL file given as its
 * argument.
 */
export function renderDatabaseSetupScript(): string {
    const env = DATABASE_SETUP_ENV;
    return [
        "#!/bin/bash",
        "set -euo pipefail",
        `PGPASSWORD="$(cat "$${env.superuserPasswordFile}")"`,
        "export PGPASSWORD",
        `deadline=$((SECONDS + \${${env.waitSeconds}:-600}))`,
        "until psql -X -q -d postgres -c 'select 1' >/dev/null; do",
        '  if [ "$SECONDS" -ge "$deadline" ]; then echo "PostgreSQL at $PGHOST:$PGPORT did not accept the superuser in time" >&2; exit 1; fi',
        "  sleep 5",
        "done",
        `psql -X -q -d postgres -v db="$${env.database}" -v role="$${env.user}" -f "$1"`,
        `echo "database $${env.database} and user $${env.user} ready"`,
        "",
    ].join("\n");
}
