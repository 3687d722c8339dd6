import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Issue 23 item 5: the Pages workflow deploys only after a job that runs the type check, lint and the unit tests.
const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

interface Job {
  needs: string[];
  runs: string[];
}

/** The jobs of a GitHub Actions workflow: each job's `needs` and its steps' `run` commands (block style YAML). */
function workflowJobs(text: string): Record<string, Job> {
  const jobs: Record<string, Job> = {};
  let inJobs = false;
  let cur: Job | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\s+#.*$/, '');
    if (/^\S/.test(line)) {
      inJobs = /^jobs:\s*$/.test(line);
      cur = null;
      continue;
    }
    if (!inJobs) continue;
    const job = line.match(/^ {2}([\w-]+):\s*$/);
    if (job) {
      cur = jobs[job[1]] = { needs: [], runs: [] };
      continue;
    }
    if (!cur) continue;
    const needs = line.match(/^ {4}needs:\s*(.+)$/);
    if (needs) {
      const v = needs[1].trim();
      cur.needs = (v.startsWith('[') ? v.slice(1, -1).split(',') : [v]).map((x) => x.trim()).filter(Boolean);
    }
    const run = line.match(/^\s+(?:- )?run:\s*(.+)$/);
    if (run) cur.runs.push(run[1].trim());
  }
  return jobs;
}

/** The jobs `name` waits for, directly or through other jobs. */
function upstream(jobs: Record<string, Job>, name: string, seen = new Set<string>()): Set<string> {
  for (const n of jobs[name]?.needs ?? []) {
    if (seen.has(n)) continue;
    seen.add(n);
    upstream(jobs, n, seen);
  }
  return seen;
}

describe('.github/workflows/pages.yml', () => {
  const jobs = workflowJobs(readFileSync(join(root, '.github/workflows/pages.yml'), 'utf8'));

  it('deploys only after a job that runs the type check, lint and the unit tests', () => {
    expect(Object.keys(jobs)).toContain('deploy');
    const before = [...upstream(jobs, 'deploy')];
    const runsBefore = before.flatMap((n) => jobs[n].runs);
    for (const cmd of ['npm run typecheck', 'npm run lint', 'npm run test:unit'])
      expect(runsBefore, `${cmd} before deploy (deploy waits for ${before.join(', ')})`).toContain(cmd);
  });

  it('the reader sees a deploy that skips the checks (so the test above can fail)', () => {
    const ungated = workflowJobs(
      [
        'jobs:',
        '  checks:',
        '    steps:',
        '      - run: npm run typecheck',
        '  build:',
        '    steps:',
        '      - run: npm run build',
        '  deploy:',
        '    needs: build',
      ].join('\n'),
    );
    expect([...upstream(ungated, 'deploy')]).toEqual(['build']);
    expect(ungated.checks.runs).toEqual(['npm run typecheck']);
  });
});
