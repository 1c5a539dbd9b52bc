/**
 * The scripts of the S3 target (POSIX sh, run by the rclone image's busybox). The backup pod first runs backup.sh
 * (script.ts) in the database's image into a scratch volume; upload.sh then copies that one complete backup to the
 * bucket. A restore pod runs download.sh and then restore.sh on the downloaded folder. rclone reads the bucket's
 * settings from its environment (a remote named `target`: RCLONE_CONFIG_TARGET_*, the keys from a Secret), the
 * folder of this database server in the bucket from BACKUP_REMOTE, the scratch folder from BACKUP_DIR.
 */
import { INCOMPLETE_PREFIX } from "./script";

export const REMOTE_ENV = "BACKUP_REMOTE";
/** Folder of the mounted Secret with the bucket's keys (files access-key-id and secret-access-key). */
export const S3_CREDENTIALS_ENV = "S3_CREDENTIALS_DIR";
/** The backup a restore pod downloads (a folder name like 20261204T013000Z); empty lists the complete backups. */
export const RESTORE_BACKUP_ENV = "RESTORE_BACKUP";
/**
 * Written last into a backup's folder in the bucket: the MD5 of every dump. A folder without it is not a backup
 * (never restored, never counted, removed by the next run); retention deletes it first.
 */
export const COMPLETE_MARKER = "backup-complete.md5";

const STAMP_CASE = "[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]Z";
const MARKER_SED = COMPLETE_MARKER.replace(/\./g, "\\.");

/** Shared start: settings, and the complete backups in the bucket (newest first). */
const PREAMBLE = `set -eu
umask 077
scratch="\${BACKUP_DIR:?BACKUP_DIR is not set}"
remote="\${${REMOTE_ENV}:?${REMOTE_ENV} is not set}"
credentials="\${${S3_CREDENTIALS_ENV}:?${S3_CREDENTIALS_ENV} is not set}"
# The keys, from the mounted Secret into rclone's environment: this process only, never the pod's.
RCLONE_CONFIG_TARGET_ACCESS_KEY_ID="$(cat "$credentials/access-key-id")"
RCLONE_CONFIG_TARGET_SECRET_ACCESS_KEY="$(cat "$credentials/secret-access-key")"
export RCLONE_CONFIG_TARGET_ACCESS_KEY_ID RCLONE_CONFIG_TARGET_SECRET_ACCESS_KEY
marker=${COMPLETE_MARKER}
# rclone lsf exits 3 when the folder does not exist yet (before the first backup): an empty listing. Any other
# failure (credentials, network, TLS) ends the script.
list() {
  rclone lsf "$@" || { status=$?; [ "$status" -eq 3 ] || exit "$status"; }
}
complete_backups() {
  listing="$(list --files-only --recursive --max-depth 2 --include "/*/$marker" "$remote")" || exit $?
  printf '%s\\n' "$listing" | sed -n 's|^\\([0-9]\\{8\\}T[0-9]\\{6\\}Z\\)/${MARKER_SED}$|\\1|p' | sort -r
}`;

/**
 * Uploads the backup backup.sh completed in the scratch folder: removes leftovers of interrupted runs, copies the
 * dumps to `.incomplete-<stamp>/`, checks them against the local files, moves them (server-side) to `<stamp>/`,
 * checks again and only then writes the completion marker. After that success, complete backups beyond
 * `retention` are removed, oldest first, each marker first. Any failing step exits non-zero: the Job fails.
 */
export function renderUploadScript(retention: number): string {
    if (!Number.isInteger(retention) || retention < 1) throw new Error(`backup: retention must be an integer of at least 1, got ${retention}`);
    return `#!/bin/sh
# pacstack backup upload to the S3 target (rendered by pacstack; see README, Backup and restore).
${PREAMBLE}
retention=${retention}
stamp=""
for dir in "$scratch"/*; do
  case "\${dir##*/}" in
    ${STAMP_CASE})
      [ -z "$stamp" ] || { echo "more than one backup in $scratch" >&2; exit 1; }
      stamp="\${dir##*/}" ;;
  esac
done
[ -n "$stamp" ] || { echo "no complete backup in $scratch: the dump step did not finish" >&2; exit 1; }
# Leftovers of interrupted runs are not backups: an incomplete upload, or a folder whose marker was never written.
complete="$(complete_backups)" || exit $?
folders="$(list --dirs-only "$remote")" || exit $?
for folder in $folders; do
  name="\${folder%/}"
  case "$name" in
    ${INCOMPLETE_PREFIX}*) rclone purge "$remote/$name"; echo "removed leftover $name" ;;
    ${STAMP_CASE})
      if ! printf '%s\\n' "$complete" | grep -qxF "$name"; then rclone purge "$remote/$name"; echo "removed incomplete $name"; fi ;;
  esac
done
rclone md5sum "$scratch/$stamp" > "$scratch/$marker"
rclone copy "$scratch/$stamp" "$remote/${INCOMPLETE_PREFIX}$stamp"
rclone check --one-way "$scratch/$stamp" "$remote/${INCOMPLETE_PREFIX}$stamp"
rclone moveto "$remote/${INCOMPLETE_PREFIX}$stamp" "$remote/$stamp"
rclone check "$scratch/$stamp" "$remote/$stamp"
rclone copyto "$scratch/$marker" "$remote/$stamp/$marker"
echo "backup $stamp uploaded"
# Retention: the newest $retention complete backups stay. The marker goes first, so a backup removed halfway
# never looks complete.
complete="$(complete_backups)" || exit $?
old="$(printf '%s\n' "$complete" | tail -n +$((retention + 1)))"
for name in $old; do
  rclone deletefile "$remote/$name/$marker"
  rclone purge "$remote/$name"
  echo "removed backup $name"
done
`;
}

/**
 * Downloads one complete backup (RESTORE_BACKUP) from the bucket into the scratch folder and checks every dump
 * against the MD5s its marker recorded; restore.sh then restores that folder. Without RESTORE_BACKUP it lists the
 * complete backups, newest first, and exits 2.
 */
export function renderDownloadScript(): string {
    return `#!/bin/sh
# pacstack backup download from the S3 target, before restore.sh (rendered by pacstack; see README, Backup and restore).
${PREAMBLE}
backup="\${${RESTORE_BACKUP_ENV}:-}"
complete="$(complete_backups)" || exit $?
if [ -z "$backup" ]; then
  echo "complete backups in $remote, newest first:"
  printf '%s\\n' "$complete"
  echo "set ${RESTORE_BACKUP_ENV} to one of them" >&2
  exit 2
fi
case "$backup" in
  ${STAMP_CASE}) ;;
  *) echo "not a backup folder name: $backup" >&2; exit 2 ;;
esac
printf '%s\\n' "$complete" | grep -qxF "$backup" || { echo "no complete backup $backup in $remote" >&2; exit 1; }
rclone copyto "$remote/$backup/$marker" "$scratch/$marker"
rclone copy --exclude "/$marker" "$remote/$backup" "$scratch/$backup"
rclone md5sum --checkfile "$scratch/$marker" "$scratch/$backup"
echo "downloaded backup $backup"
`;
}
