/**
 * The database backup and restore scripts (bash), rendered from typed input. The backup CronJob runs the first; an
 * operator runs the second (README: Backup and restore). Both take every connection setting from libpq's own
 * environment (PGHOST, PGPORT, PGUSER, PGSSLMODE, PGSSLROOTCERT), the password from the file PGPASSWORD_FILE names
 * (a mounted Secret key) and the backup folder from BACKUP_DIR, so nothing secret or site-specific is in them.
 */

/** Environment variables the scripts read besides libpq's. */
export const BACKUP_DIR_ENV = "BACKUP_DIR";
export const PASSWORD_FILE_ENV = "PGPASSWORD_FILE";
/** Reads the password file into libpq's variable, for this process only (never in the pod's environment). */
const READ_PASSWORD = `PGPASSWORD="$(< "\${${PASSWORD_FILE_ENV}:?${PASSWORD_FILE_ENV} is not set}")"
export PGPASSWORD`;
/** Folder name of one complete backup: the UTC time it started, e.g. 20261204T013000Z. */
export const BACKUP_NAME = /^[0-9]{8}T[0-9]{6}Z$/;
/** One dump file per database, in pg_dump's custom format. */
export const dumpFileName = (database: string) => `${database}.dump`;
/** Prefix of a backup still being written; never counted as a backup, removed by the next run. */
export const INCOMPLETE_PREFIX = ".incomplete-";

export interface BackupScriptInput {
    /** Databases to dump, each into `<name>.dump` (lowercase identifiers: they appear unquoted in the script). */
    databases: string[];
    /** Complete backups kept; older ones are removed after a backup succeeds. */
    retention: number;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

function checkInput(input: BackupScriptInput): void {
    if (input.databases.length === 0 || !input.databases.every((d) => IDENTIFIER.test(d))) {
        throw new Error(`backup: database names must be lowercase identifiers, got ${JSON.stringify(input.databases)}`);
    }
    if (!Number.isInteger(input.retention) || input.retention < 1) {
        throw new Error(`backup: retention must be an integer of at least 1, got ${input.retention}`);
    }
}

/**
 * One run: every database dumped (custom format) into `$BACKUP_DIR/.incomplete-<stamp>/`, each dump read back
 * with pg_restore --list, the files flushed, and only then the folder renamed to `<stamp>`: a failed or interrupted
 * run never leaves anything that looks like a backup. Any failing command ends the run with a non-zero exit, so
 * the Job fails and is kept as failed. After a success, complete backups beyond `retention` are removed, oldest
 * first; a failed run removes none.
 */
export function renderBackupScript(input: BackupScriptInput): string {
    checkInput(input);
    return `#!/bin/bash
# pacstack database backup (rendered by pacstack; see README, Backup and restore).
set -euo pipefail
umask 077
${READ_PASSWORD}
target="\${${BACKUP_DIR_ENV}:?${BACKUP_DIR_ENV} is not set}"
retention=${input.retention}
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
work="$target/${INCOMPLETE_PREFIX}$stamp"
# Leftovers of an interrupted run are not backups.
rm -rf "$target"/${INCOMPLETE_PREFIX}*
mkdir "$work"
trap 'rm -rf "$work"' EXIT
for database in ${input.databases.join(" ")}; do
  pg_dump --format=custom --no-password --dbname="$database" --file="$work/$database.dump"
  pg_restore --list "$work/$database.dump" > /dev/null
  echo "dumped $database: $(stat -c %s "$work/$database.dump") bytes"
done
sync "$work"/*.dump
mv -T "$work" "$target/$stamp"
trap - EXIT
echo "backup $stamp complete"
# Retention: the newest $retention complete backups stay.
find "$target" -mindepth 1 -maxdepth 1 -type d -regextype posix-extended -regex '.*/[0-9]{8}T[0-9]{6}Z' -printf '%f\\n' \\
  | sort -r | tail -n +$((retention + 1)) | while read -r old; do
  rm -rf "\${target:?}/$old"
  echo "removed backup $old"
done
`;
}

/**
 * Restores one complete backup (`restore.sh <backup folder name>`): each database's dump, in one transaction per
 * database, objects dropped first if they exist (--clean --if-exists) and owned by the connecting user
 * (--no-owner). Stops at the first error with a non-zero exit; a database whose restore failed is left as it was.
 */
export function renderRestoreScript(input: BackupScriptInput): string {
    checkInput(input);
    return `#!/bin/bash
# pacstack database restore (rendered by pacstack; see README, Backup and restore).
set -euo pipefail
${READ_PASSWORD}
target="\${${BACKUP_DIR_ENV}:?${BACKUP_DIR_ENV} is not set}"
backup="\${1:?usage: restore.sh <backup folder, e.g. 20261204T013000Z>}"
[[ "$backup" =~ ^[0-9]{8}T[0-9]{6}Z$ ]] || { echo "not a backup folder name: $backup" >&2; exit 2; }
for database in ${input.databases.join(" ")}; do
  [ -s "$target/$backup/$database.dump" ] || { echo "missing $target/$backup/$database.dump" >&2; exit 1; }
done
for database in ${input.databases.join(" ")}; do
  pg_restore --clean --if-exists --no-owner --no-privileges --exit-on-error --single-transaction --no-password \\
    --dbname="$database" "$target/$backup/$database.dump"
  echo "restored $database from $backup"
done
`;
}

const CRON_MACROS = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"];
const CRON_FIELDS: { name: string; min: number; max: number; names?: string[] }[] = [
    { name: "minute", min: 0, max: 59 },
    { name: "hour", min: 0, max: 23 },
    { name: "day of month", min: 1, max: 31 },
    { name: "month", min: 1, max: 12, names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"] },
    { name: "day of week", min: 0, max: 6, names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] },
];

function cronValue(text: string, field: (typeof CRON_FIELDS)[number]): number | undefined {
    const named = field.names?.indexOf(text.toUpperCase()) ?? -1;
    if (named >= 0) return named + field.min;
    if (!/^[0-9]{1,2}$/.test(text)) return undefined;
    const value = Number(text);
    return value >= field.min && value <= field.max ? value : undefined;
}

function cronFieldOk(text: string, field: (typeof CRON_FIELDS)[number]): boolean {
    return text.split(",").every((part) => {
        const [range, step, ...rest] = part.split("/");
        if (rest.length > 0 || (step !== undefined && !(/^[0-9]{1,2}$/.test(step) && Number(step) >= 1))) return false;
        if (range === "*" || (range === "?" && field.name.startsWith("day"))) return true;
        const [from, to, ...more] = range.split("-");
        if (more.length > 0) return false;
        const low = cronValue(from, field);
        const high = to === undefined ? low : cronValue(to, field);
        return low !== undefined && high !== undefined && low <= high;
    });
}

/**
 * Whether Kubernetes' CronJob controller accepts `schedule` (five fields: minute, hour, day of month, month, day of
 * week; `*`, values, ranges, steps, lists, month and day names; or a macro such as @daily). Time zones are not
 * part of the schedule: the CronJob runs in UTC.
 */
export function isCronSchedule(schedule: string): boolean {
    const trimmed = schedule.trim();
    if (CRON_MACROS.includes(trimmed)) return true;
    const fields = trimmed.split(/\s+/);
    return fields.length === CRON_FIELDS.length && fields.every((text, i) => cronFieldOk(text, CRON_FIELDS[i]));
}
