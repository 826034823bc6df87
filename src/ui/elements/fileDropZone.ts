import { html, type TemplateResult } from 'lit';

/** What a file drop zone shows and whom it tells. */
export interface FileDropZoneOptions {
  /** Whether files are being dragged over the zone (the host's `@state`; drawn as the `over` class). */
  over: boolean;
  /** Sets that state: true while dragging over, false on leaving or dropping. */
  setOver: (over: boolean) => void;
  /** Receives the dropped or chosen files (possibly none). */
  onFiles: (files: FileList | null | undefined) => void;
  /** The label around the file input (its accessible name), e.g. "Drop a log file here, or choose one". */
  label: string;
  /** The file input's `name` (tests and e2e find it by name). */
  name: string;
  /** The input's `accept` list of extensions and media types. */
  accept: string;
  /** Several files at once (default one). */
  multiple?: boolean;
}

/**
 * A zone that takes files dropped on it or chosen with its file input — the one way the app
 * opens a local file (the audit's YAML, the replay's log). `.drop` and `.drop.over` are styled
 * by the host view. The input is cleared after each choice so that choosing the same file again
 * reads it again (a file input fires `change` only when its value changes); dropping prevents
 * the browser's default of opening the file.
 */
export function fileDropZone(options: FileDropZoneOptions): TemplateResult {
  const { over, setOver, onFiles, label, name, accept, multiple = false } = options;
  return html`<div
    class="drop ${over ? 'over' : ''}"
    data-section="drop"
    @dragover=${(event: DragEvent) => {
      event.preventDefault();
      setOver(true);
    }}
    @dragleave=${() => setOver(false)}
    @drop=${(event: DragEvent) => {
      event.preventDefault();
      setOver(false);
      onFiles(event.dataTransfer?.files);
    }}
  >
    <label>${label}
      <input name=${name} type="file" ?multiple=${multiple} accept=${accept} @change=${(event: Event) => {
        const input = event.target as HTMLInputElement;
        onFiles(input.files);
        input.value = '';
      }} />
    </label>
  </div>`;
}
