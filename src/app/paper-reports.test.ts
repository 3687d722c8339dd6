import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { REPORTS, claimsOf, hasFile, jsonProvenance, loadFile, reportProvenance, scalingRows } from './paper-reports';

describe('committed reports of the Paper view', () => {
  it('bundles exactly the committed files that exist (absent ones read as not yet run)', () => {
    for (const r of REPORTS) {
      expect(hasFile(r.file), r.file).toBe(existsSync(r.file));
      if (r.markdown) expect(hasFile(r.markdown), r.markdown).toBe(existsSync(r.markdown));
    }
  });

  it('reads the claims and the provenance line of each committed claims report', async () => {
    for (const r of REPORTS.filter((x) => x.kind === 'claims' && existsSync(x.file))) {
      const claims = claimsOf(await loadFile(r.file), r.file);
      expect(claims.length).toBe(JSON.parse(readFileSync(r.file, 'utf8')).length);
      const md = String(await loadFile(r.markdown!));
      const p = reportProvenance(md);
      expect(p.generated).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(p.command).toMatch(/^npm run reproduce -- --preset \w+/);
      expect(p.machine).toMatch(/cpus \d+/);
      expect(p.versions).toMatch(/tfjs/);
    }
  });

  it('parses a provenance line and tolerates one without machine data', () => {
    const p = reportProvenance(
      '# x\n\nGenerated 2026-01-02T03:04:05Z by `npm run reproduce -- --preset smoke` on {"cpus":2}, lab {"lab":"0.1.0"}.\n',
    );
    expect(p).toEqual({
      generated: '2026-01-02T03:04:05Z',
      command: 'npm run reproduce -- --preset smoke',
      machine: 'cpus 2',
      versions: 'lab 0.1.0',
    });
    expect(reportProvenance('no header')).toEqual({ generated: null, command: null, machine: null, versions: null });
    expect(jsonProvenance({ createdAt: 'D', preset: 'bench', machine: { cpus: 2 } }, 'npm run tradeoff')).toEqual({
      generated: 'D',
      command: 'npm run tradeoff (preset bench)',
      machine: 'cpus 2',
      versions: null,
    });
  });

  it('rejects a claims file that is not one, naming the place', () => {
    expect(() => claimsOf({}, 'f.json')).toThrow(/f\.json: expected an array/);
    expect(() => claimsOf([{ id: 1, claim: 'x', reproduces: 'yes' }, { id: 2 }], 'f.json')).toThrow(/f\.json\[1\]/);
  });

  it('reads the scaling study gaps with "within noise" where the interval covers 0', async () => {
    if (!existsSync('results/scaling/scaling.json')) return;
    const j = await loadFile('results/scaling/scaling.json');
    const rows = scalingRows(j);
    const raw = JSON.parse(readFileSync('results/scaling/scaling.json', 'utf8'));
    expect(rows).toHaveLength(raw.gapsToRetrain.length);
    const first = raw.gapsToRetrain[0];
    const ci = first.gaps.forgetAcc.ci95;
    expect(rows[0].gaps.forgetAcc?.withinNoise).toBe(ci[0] <= 0 && ci[1] >= 0);
    expect(rows[0].gaps.forgetAcc?.text).toContain(`(n = ${first.gaps.forgetAcc.n})`);
    expect(() => scalingRows({})).toThrow(/gapsToRetrain/);
  });
});
