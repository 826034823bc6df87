import type { FlaggerMode } from '../../engine/export/flagger.ts';
import { choiceField, type StateSchema, textField } from '../state/viewState.ts';
import { type DeploymentOptionsText, type ExportFormat, exportFormats, flaggerModes } from './deploymentExport.ts';

/**
 * The export view's own state: the format chosen (the policy JSON with its evidence, Argo
 * Rollouts or Flagger YAML), Flagger's mode, the exporter options as typed (blank = the
 * exporter's default), and the policy JSON being imported — all kept in the URL and autosaved,
 * so a reload or a shared link keeps them.
 */
export interface ExportState extends DeploymentOptionsText {
  format: ExportFormat;
  flaggerMode: FlaggerMode;
  importText: string;
}

/** First visit: JSON, progressive Flagger mode, every exporter default, nothing imported. */
export const exportSchema: StateSchema<ExportState> = {
  format: choiceField(exportFormats, 'json'),
  flaggerMode: choiceField(flaggerModes, 'progressive'),
  name: textField(''),
  namespace: textField(''),
  service: textField(''),
  requestMetric: textField(''),
  errorMetric: textField(''),
  timeoutMetric: textField(''),
  latencyMetric: textField(''),
  prometheusAddress: textField(''),
  decisionServiceUrl: textField(''),
  importText: textField(''),
};
