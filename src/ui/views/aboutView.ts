import { css, html, LitElement } from 'lit';
import { theme } from '../styles/theme.ts';

/** `<rl-about-view>`: what the workbench is, the methods it uses, and the attribution of the data it ships. */
export class AboutView extends LitElement {
  static override styles = [theme, css`section { max-width: 48rem; } li { margin-bottom: 0.4rem; }`];

  override render() {
    return html`
      <section>
        <h2>About Rollout Lab</h2>
        <p class="lede">
          A workbench for shipping machine-learning models safely: size A/B tests, read segmented results and
          validate rollout policies before launch. Everything runs in your browser; nothing is sent anywhere.
        </p>
        <h3>Methods</h3>
        <ul>
          <li>Policy lab, playback and export: Monte-Carlo simulation of the real rollout engine in Web Workers (windowed mode: each window's counts and latency quantiles drawn from their exact laws); replicate <em>i</em> of seed <em>s</em> has its own random stream, so results do not depend on the number of workers and equal the CLI's <code>rollout-lab simulate</code>; rates with 95% Wilson intervals.</li>
          <li>Sample size: pooled-variance z-test (as R <code>power.prop.test</code>) and arcsine / Cohen's h (as statsmodels <code>NormalIndPower</code>).</li>
          <li>Cost of peeking: exact repeated-significance-testing rates (Armitage, McPherson &amp; Rowe 1969) and Lan–DeMets group-sequential designs, by numerical integration (Jennison &amp; Turnbull 2000, ch. 19).</li>
          <li>Sample-ratio mismatch: Pearson χ² against the planned split, flagged below p = 0.001.</li>
          <li>Rates: Wilson score intervals; differences: Newcombe hybrid score intervals; tests: pooled two-proportion z-test.</li>
        </ul>
        <h3>Data</h3>
        <ul>
          <li data-source="kidney-stones">
            <strong>Kidney-stone treatments</strong> — success counts of open surgery and percutaneous nephrolithotomy by stone
            size: Charig CR, Webb DR, Payne SR, Wickham JE, "Comparison of treatment of renal calculi by open surgery,
            percutaneous nephrolithotomy, and extracorporeal shockwave lithotripsy", <em>BMJ</em> 1986;292:879–882; as
            tabulated by Julious SA &amp; Mullee MA, "Confounding and Simpson's paradox", <em>BMJ</em> 1994;309:1480.
            Published aggregate counts.
          </li>
          <li data-source="azure">
            <strong>Azure LLM inference traces 2023</strong> — request arrivals of production conversation and code-completion
            services, from Azure/AzurePublicDataset (<code>AzureLLMInferenceTrace_conv</code>, <code>AzureLLMInferenceTrace_code</code>;
            Patel et al., "Splitwise: Efficient Generative LLM Inference Using Phase Splitting", ISCA 2024). Licensed under
            Creative Commons Attribution 4.0 International (CC BY 4.0).
          </li>
        </ul>
      </section>
    `;
  }
}

customElements.define('rl-about-view', AboutView);
