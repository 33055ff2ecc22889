import { Listr, ListrLogger, ProcessOutput, type ListrTaskWrapper } from "listr2";
import { details, headline, plainLine, type Progress } from "./progress";

/** Shows an operation as it goes: updated on every look, closed once it ends or the user detaches. */
export interface LiveView {
  update(progress: Progress): void;
  close(outcome: "done" | "failed" | "detached", summary: string): Promise<void>;
}

/**
 * On a terminal: listr2 redraws one task in place: step n of N with a bar and the elapsed time, then
 * what it waits for and since when, the last observation and the next look.
 */
export function ttyView(stdout: NodeJS.WriteStream, stderr: NodeJS.WriteStream): LiveView {
  let task: ListrTaskWrapper<unknown, never, never> | undefined;
  let end: ((outcome: { failed: boolean; summary: string }) => void) | undefined;
  const ended = new Promise<{ failed: boolean; summary: string }>((resolve) => (end = resolve));
  let latest: Progress | undefined;
  const show = () => {
    if (!task || !latest) return;
    // One multi-line title, redrawn in place: the details are the state now, not a log of the past.
    task.title = [headline(latest), ...details(latest).map((line) => `  ${line}`)].join("\n");
  };
  const list = new Listr(
    [
      {
        title: "connecting",
        task: async (_ctx, t) => {
          task = t as unknown as ListrTaskWrapper<unknown, never, never>;
          show();
          const outcome = await ended;
          t.title = outcome.summary;
          if (outcome.failed) throw new Error(outcome.summary);
        },
      },
    ],
    {
      renderer: "default",
      // Ctrl-C is the CLI's: it detaches from the operation, it does not fail it.
      registerSignalListeners: false,
      exitOnError: false,
      forceTTY: true,
      rendererOptions: {
        logger: new ListrLogger({ processOutput: new ProcessOutput(stdout, stderr) }),
        showErrorMessage: false,
        collapseErrors: false,
      },
    },
  );
  const running = list.run().catch(() => undefined);
  // The elapsed time moves between looks too.
  const tick = setInterval(show, 1000);
  return {
    update(progress) {
      latest = progress;
      show();
    },
    async close(outcome, summary) {
      clearInterval(tick);
      end?.({ failed: outcome === "failed", summary });
      await running;
    },
  };
}

/** Not a terminal (CI logs, pipes): one plain line whenever the step, the wait or the observation changes. */
export function plainView(stdout: NodeJS.WritableStream): LiveView {
  let last = "";
  return {
    update(progress) {
      const line = plainLine(progress);
      if (line === last) return;
      last = line;
      stdout.write(`${new Date().toISOString()} ${line}\n`);
    },
    async close(_outcome, summary) {
      stdout.write(`${new Date().toISOString()} ${summary}\n`);
    },
  };
}
