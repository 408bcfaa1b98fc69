import { describeError } from './describe-error.js';
import { h } from './element.js';
import { MAX_ROOM_LENGTH, type RoomLink } from './room-link.js';

/** What the user chose on the join screen. */
export interface JoinChoice {
  readonly name: string;
  readonly room: string;
  /** Undefined for an open room. */
  readonly password: string | undefined;
  readonly nodes: readonly string[];
}

export interface JoinScreenOptions {
  readonly link: RoomLink;
  /**
   * The name field, shown in the "You" panel and tied to this form (`form="join-form"`): one name
   * for rooms and calls.
   */
  readonly nameInput: HTMLInputElement;
  readonly nodes: readonly string[];
  /** Joins; a rejection is shown on the form, which can then be tried again. */
  readonly join: (choice: JoinChoice) => Promise<void>;
}

/** The join form of the home screen: room, optional password and (folded away) the nodes. */
export function renderJoinScreen(options: JoinScreenOptions): HTMLElement {
  const { link, nameInput } = options;
  const room = field('room', 'Room', {
    value: link.room,
    maxlength: String(MAX_ROOM_LENGTH),
    required: true,
    placeholder: 'e.g. team-standup',
  });
  const password = field(
    'password',
    link.passwordNeeded ? 'Room password (this room has one)' : 'Room password (optional)',
    {
      type: 'password',
      autocomplete: 'off',
      required: link.passwordNeeded,
      placeholder: link.passwordNeeded ? '' : 'leave empty for an open room',
    },
  );
  const nodes = h('textarea', { name: 'nodes', rows: '3', spellcheck: 'false' });
  nodes.value = options.nodes.join('\n');
  const status = h('p', { class: 'join-status', role: 'status' });
  const error = h('p', { class: 'join-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'button primary wide' }, 'Join room');
  const form = h(
    'form',
    { class: 'join-form', id: 'join-form' },
    h('h2', {}, 'Join a room'),
    h('p', { class: 'lead' }, 'Chat, send files and call, peer to peer. Nodes only introduce you.'),
    room.label,
    password.label,
    h(
      'details',
      { class: 'advanced' },
      h('summary', {}, 'Nodes'),
      h(
        'label',
        {},
        'Start from these nodes (one URL per line; more are learned from them)',
        nodes,
      ),
    ),
    error,
    submit,
    status,
    window.isSecureContext
      ? null
      : h(
          'p',
          { class: 'join-error' },
          'This page is not a secure context (it needs https:// or localhost): the browser will refuse the encryption and camera the app needs.',
        ),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    error.hidden = true;
    const choice: JoinChoice = {
      name: nameInput.value.trim(),
      room: room.input.value.trim(),
      password: password.input.value === '' ? undefined : password.input.value,
      nodes: nodes.value
        .split(/\s+/)
        .map((url) => url.trim())
        .filter((url) => url !== ''),
    };
    if (choice.name === '') {
      showError('Give your name first (under "You").');
      nameInput.focus();
      return;
    }
    if (choice.nodes.length === 0) {
      showError('Give at least one node URL.');
      return;
    }
    submit.disabled = true;
    status.textContent = 'Joining… (finding nodes and paying their proof-of-work)';
    options.join(choice).then(
      () => undefined,
      (failure: unknown) => {
        submit.disabled = false;
        status.textContent = '';
        showError(`Could not join: ${describeError(failure)}`);
      },
    );
  });
  function showError(text: string): void {
    error.textContent = text;
    error.hidden = false;
  }
  return h('section', { class: 'panel join', 'aria-label': 'Join a room' }, form);
}

function field(
  name: string,
  label: string,
  attributes: Readonly<Record<string, string | boolean>>,
): { label: HTMLLabelElement; input: HTMLInputElement } {
  const input = h('input', { type: 'text', name, ...attributes });
  if (typeof attributes.value === 'string') input.value = attributes.value;
  return { label: h('label', {}, label, input), input };
}
