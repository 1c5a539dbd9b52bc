import { pinnedTools } from "../kube/tools";
import { PostgresServer } from "./postgres";
import { freePort, RunningProcess, startProcess, waitFor } from "./processes";

export interface RunningExporter {
    readonly port: number;
    readonly process: RunningProcess;
    stop(): Promise<void>;
}

/**
 * The real postgres_exporter (the version the PostgreSQL chart's metrics container runs, built from its Go module)
 * with its default collectors, connecting as the chart's does: the `postgres` superuser over TCP to the server's
 * own port, TLS required (pacstack's pg_hba.conf admits TLS only).
 */
export async function startPostgresExporter(postgres: PostgresServer, logName = "postgres-exporter"): Promise<RunningExporter> {
    const tools = await pinnedTools();
    const port = await freePort();
    const dsn = `postgresql://postgres:${encodeURIComponent(postgres.superuserPassword)}@127.0.0.1:${postgres.port}/postgres?sslmode=require`;
    const proc = startProcess(logName, tools.postgres_exporter, [`--web.listen-address=127.0.0.1:${port}`], {
        env: { PATH: process.env.PATH, DATA_SOURCE_NAME: dsn },
    });
    const up = async () => /^pg_up(\{[^}]*\})? 1$/m.test(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
    await waitFor("postgres_exporter reaching PostgreSQL", up, { process: proc, timeoutMs: 30_000, intervalMs: 250 });
    return { port, process: proc, stop: () => proc.stop(5_000) };
}
