import { LitElement, css, html } from 'lit';
import { requiredSampleSize, type SampleSizeResult } from '../../engine/stats/sampleSize.ts';

interface SizingInputs {
  baseline: number;
  target: number;
  alpha: number;
  power: number;
  sides: 1 | 2;
}

type Sizing =
  | { ok: true; arcsine: SampleSizeResult; pooled: SampleSizeResult }
  | { ok: false; message: string };

/** Sizes a two-proportion A/B test with both methods the engine offers, as the inputs change. */
export function sizeBothWays(inputs: SizingInputs): Sizing {
  try {
    return {
      ok: true,
      arcsine: requiredSampleSize({ ...inputs, method: 'arcsine' }),
      pooled: requiredSampleSize({ ...inputs, method: 'pooled' }),
    };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}

const storageKey = 'rollout-lab:sample-size';
const defaultInputs: SizingInputs = { baseline: 0.1, target: 0.12, alpha: 0.05, power: 0.8, sides: 2 };

/** The inputs saved by the last visit (so a reload loses nothing); only known, numeric fields. */
function savedInputs(): Partial<SizingInputs> {
  try {
    const saved = JSON.parse(localStorage.getItem(storageKey) ?? '{}') as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(defaultInputs)
        .filter((key) => typeof saved[key] === 'number' && Number.isFinite(saved[key]))
        .map((key) => [key, saved[key]]),
    ) as Partial<SizingInputs>;
  } catch {
    return {};
  }
}

/**
 * `<rl-sample-size>`: the A/B sample-size calculator — baseline and target rate, α, power and
 * sidedness in, the sample size per arm from both formulas out.
 */
export class SampleSizeCalculator extends LitElement {
  static override properties = {
    inputs: { state: true },
  };

  declare inputs: SizingInputs;

  constructor() {
    super();
    this.inputs = { ...defaultInputs, ...savedInputs() };
  }

  static override styles = css`
    :host { display: block; font: 15px/1.5 system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; color: #1d2330; }
    h1 { font-size: 1.5rem; margin: 0 0 0.25rem; }
    p.lede { margin: 0 0 1.5rem; color: #4a5468; }
    form { display: grid; grid-template-columns: repeat(auto-fill, minmax(9rem, 1fr)); gap: 0.75rem; }
    label { display: flex; flex-direction: column; font-size: 0.85rem; color: #4a5468; }
    input, select { font: inherit; padding: 0.3rem 0.4rem; border: 1px solid #b9c0cf; border-radius: 4px; }
    table { border-collapse: collapse; margin-top: 1.5rem; width: 100%; }
    th, td { text-align: left; padding: 0.4rem 0.6rem; border-bottom: 1px solid #e1e5ee; }
    td.number { font-variant-numeric: tabular-nums; text-align: right; }
    .error { color: #a3261b; margin-top: 1rem; }
  `;

  private setInput(field: keyof SizingInputs, event: Event): void {
    const value = Number((event.target as HTMLInputElement).value);
    this.inputs = { ...this.inputs, [field]: value };
    localStorage.setItem(storageKey, JSON.stringify(this.inputs));
  }

  override render() {
    const sizing = sizeBothWays(this.inputs);
    const { baseline, target, alpha, power, sides } = this.inputs;
    const field = (name: keyof SizingInputs, label: string, value: number, step: string) => html`
      <label>${label}
        <input name=${name} type="number" step=${step} min="0" max="1" .value=${String(value)}
          @input=${(event: Event) => this.setInput(name, event)} />
      </label>`;
    return html`
      <h1>Rollout Lab — A/B test sample size</h1>
      <p class="lede">How many users per arm you need to tell the candidate's success rate from the control's.</p>
      <form @submit=${(event: Event) => event.preventDefault()}>
        ${field('baseline', 'Control rate', baseline, '0.001')}
        ${field('target', 'Candidate rate to detect', target, '0.001')}
        ${field('alpha', 'Significance level α', alpha, '0.01')}
        ${field('power', 'Power', power, '0.01')}
        <label>Test
          <select name="sides" @change=${(event: Event) => this.setInput('sides', event)}>
            <option value="2" ?selected=${sides === 2}>two-sided</option>
            <option value="1" ?selected=${sides === 1}>one-sided</option>
          </select>
        </label>
      </form>
      ${sizing.ok
        ? html`<table aria-label="Sample size per arm">
            <thead><tr><th>Method</th><th>Per arm</th><th>Total</th></tr></thead>
            <tbody>
              <tr data-method="pooled"><td>Pooled variance (R power.prop.test)</td>
                <td class="number">${sizing.pooled.nPerArm.toLocaleString('en')}</td>
                <td class="number">${sizing.pooled.nTotal.toLocaleString('en')}</td></tr>
              <tr data-method="arcsine"><td>Arcsine, Cohen's h (statsmodels NormalIndPower)</td>
                <td class="number">${sizing.arcsine.nPerArm.toLocaleString('en')}</td>
                <td class="number">${sizing.arcsine.nTotal.toLocaleString('en')}</td></tr>
            </tbody>
          </table>`
        : html`<p class="error" role="alert">${sizing.message}</p>`}
    `;
  }
}

customElements.define('rl-sample-size', SampleSizeCalculator);
