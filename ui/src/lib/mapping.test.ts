import { describe, expect, it } from "vitest";
import type { PreviewJson } from "./bindings/PreviewJson";
import { columnRole, initialMapping, mappingProblem } from "./mapping";

const preview: PreviewJson = {
  handle: "0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f",
  path: "/tmp/change_tickets.csv",
  file: "change_tickets.csv",
  format: "csv",
  encoding: "UTF-8",
  delimiter: ",",
  sheet: null,
  sheets: [],
  columns: ["Issue key", "Summary", "Created", "Cost"],
  rows: [{ line: 2, fields: ["CHG-1", "Rotate keys", "2026-01-05", "10.00"] }],
  guessedKey: "Issue key",
  guessedDate: "Created",
  guessedAmount: null,
};

describe("column mapping", () => {
  it("starts from the engine's guesses", () => {
    expect(initialMapping(preview)).toEqual({ key: "Issue key", date: "Created", amount: null, sheet: null, dateFormat: null });
  });

  it("keeps the auditor's earlier choices after an error, where the columns still exist", () => {
    const previous = { key: "Summary", date: null, amount: "Cost", sheet: null, dateFormat: "%d/%m/%Y" };
    expect(initialMapping(preview, previous)).toEqual({ key: "Summary", date: null, amount: "Cost", sheet: null, dateFormat: "%d/%m/%Y" });
    const gone = { key: "Ticket", date: "Opened", amount: null, sheet: null, dateFormat: null };
    expect(initialMapping(preview, gone).key).toBe("Issue key");
  });

  it("falls back to the first column when nothing was guessed", () => {
    expect(initialMapping({ ...preview, guessedKey: null }).key).toBe("Issue key");
  });

  it("says what is wrong with a mapping in words", () => {
    expect(mappingProblem({ key: "", date: null, amount: null, sheet: null, dateFormat: null })).toMatch(/key/);
    expect(mappingProblem({ key: "Created", date: "Created", amount: null, sheet: null, dateFormat: null })).toMatch(/different/);
    expect(mappingProblem({ key: "Issue key", date: "Created", amount: "Cost", sheet: null, dateFormat: null })).toBeNull();
  });

  it("marks each mapped column's role", () => {
    const m = initialMapping(preview);
    expect(columnRole(m, "Issue key")).toBe("key");
    expect(columnRole(m, "Created")).toBe("date");
    expect(columnRole(m, "Summary")).toBeNull();
  });
});
