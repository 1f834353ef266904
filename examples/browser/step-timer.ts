/** Wall-clock timing of the page's steps, shown in a table as they happen. */

/** Named durations in milliseconds, in the order they were recorded. */
export type StepTimings = Map<string, number>;

/** Time one async step and record it under `name`. */
export async function timeStep<T>(timings: StepTimings, name: string, step: () => Promise<T> | T): Promise<T> {
  const start = performance.now();
  try {
    return await step();
  } finally {
    timings.set(name, performance.now() - start);
  }
}

/** Replace the rows of `table` with `timings`. */
export function showTimings(table: HTMLTableElement, timings: StepTimings): void {
  const body = table.tBodies[0];
  body.replaceChildren(
    ...[...timings].map(([name, ms]) => {
      const row = document.createElement('tr');
      row.dataset.step = name;
      const label = document.createElement('td');
      label.textContent = name;
      const value = document.createElement('td');
      value.className = 'ms';
      value.textContent = `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
      row.append(label, value);
      return row;
    }),
  );
}
