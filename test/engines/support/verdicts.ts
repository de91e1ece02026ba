import { ApiResponse } from "../harness/apiserver";

/** The API server's answer to a dry-run create, reduced to what parity needs. */
export interface ServerVerdict {
    readonly admitted: boolean;
    readonly status: number;
    readonly message: string;
}

export function verdictOf(response: ApiResponse): ServerVerdict {
    const body = response.body as { message?: string } | string;
    const message = typeof body === "string" ? body : (body?.message ?? "");
    return { admitted: response.status >= 200 && response.status < 300, status: response.status, message };
}

/** Prints a fixed-width table to the test log. */
export function printTable(title: string, header: readonly string[], rows: readonly (readonly string[])[]): void {
    const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => row[column].length)));
    const line = (cells: readonly string[]) => `  ${cells.map((cell, column) => cell.padEnd(widths[column])).join("  ")}`;
    console.log(`\n  ${title}\n${line(header)}\n${rows.map(line).join("\n")}\n`);
}

export function sleep(milliseconds: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, milliseconds));
}
