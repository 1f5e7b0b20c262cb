// Where the `--env` commands write in a terminal: results to stdout, notes to stderr prefixed `hf: `.

/** `print` → stdout, `progress` → stderr as `hf: <line>`, so `hf … > out.txt` keeps only the results. */
export function terminalOutput(): { print(line: string): void; progress(line: string): void } {
  return {
    print: (line) => process.stdout.write(`${line}\n`),
    progress: (line) => process.stderr.write(`hf: ${line}\n`),
  };
}
