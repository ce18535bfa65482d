import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { z } from 'zod';
import { compileProject } from '../../../src/dsl/compile/index';
import { calendarFile, segmentsFile } from '../../../src/dsl/compile/surface/calendar';
import { campaignFile } from '../../../src/dsl/compile/surface/campaign';
import { SAMPLE_CAMPAIGNS } from '../../helpers/samples';

const root = new URL('../../../', import.meta.url).pathname;

describe('the sample project', () => {
  it('compiles with no errors and no warnings', async () => {
    const result = await compileProject({ campaignsDir: `${root}campaigns`, templatesDir: `${root}templates`, displayRoot: root });
    expect(result.ok ? [] : result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    if (!result.ok) return;
    expect(result.project.campaigns.map((c) => c.id)).toEqual([...SAMPLE_CAMPAIGNS]);
    expect(Object.keys(result.project.segments)).toEqual(['lapsed-customers', 'churning-customers', 'vip']);
    expect(result.project.templates).toContain('cart-reminder');
    expect(result.project.sources['newsletter']).toBe(readFileSync(`${root}campaigns/newsletter.yaml`, 'utf8'));
    const cart = result.project.campaigns[0]!;
    expect(cart.file).toBe('campaigns/abandoned-cart.yaml');
    const wait = cart.steps[2]!;
    expect(wait.kind === 'wait_until' && wait.onTimeout[0]!.kind === 'branch' && wait.onTimeout[0]!.otherwise[0]!.key).toBe(
      'steps[2].on_timeout[0].branch.otherwise[0]',
    );
    expect(result.project.campaigns.find((c) => c.id === 'newsletter')!.trigger).toEqual({
      kind: 'schedule',
      rrule: 'FREQ=WEEKLY;BYDAY=TU;BYHOUR=10;BYMINUTE=0',
      timezone: 'contact',
      start: '2026-11-01T00:00',
    });
    // The birthday audience counts the day on each contact's calendar, the calendar's zone without one.
    expect(result.project.campaigns.find((c) => c.id === 'birthday')!.audience).toMatchObject({
      of: expect.arrayContaining([
        { kind: 'attribute', scope: 'attributes', path: ['birthday'], op: 'anniversary', value: { days: 1, zone: 'Europe/Warsaw' } },
      ]),
    });
    expect(result.project.segments['vip']).toEqual({ kind: 'lifecycle', stages: ['loyal'] });
  });

  // The JSON Schema editors use is generated from these zod schemas; the samples must pass them too.
  it.each(readdirSync(`${root}campaigns`).filter((f) => f.endsWith('.yaml')))('%s satisfies the JSON Schema surface', (file) => {
    const schema: z.ZodType = file === 'segments.yaml' ? segmentsFile : file === 'calendar.yaml' ? calendarFile : campaignFile;
    const result = schema.safeParse(parse(readFileSync(`${root}campaigns/${file}`, 'utf8')));
    expect(result.success ? [] : result.error.issues).toEqual([]);
  });

  it('the schema surface rejects a misspelt key, as an editor would', () => {
    const sample = parse(readFileSync(`${root}campaigns/welcome.yaml`, 'utf8')) as Record<string, unknown>;
    expect(campaignFile.safeParse({ ...sample, priorty: 5 }).success).toBe(false);
  });
});
