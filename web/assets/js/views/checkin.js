// The mood check-in form: mood, intensity, note, tags, visibility and a
// valence/arousal picker (a pad for the pointer, two sliders for the keyboard and
// screen readers). Valence and arousal are sent only when the person moved them;
// otherwise the hub derives them from the mood.

import { field, h, onSubmit, svg, toast, uid } from '../dom.js';
import { send } from '../outbox.js';
import { emit, MOOD_AFFECT, MOODS } from '../state.js';

function moodChoices() {
  return h('fieldset', { dataset: { field: 'mood' } },
    h('legend', {}, 'How do you feel?'),
    h('div.choices', {}, MOODS.map(([mood, emoji], i) => h('label.choice', {},
      h('input', { type: 'radio', name: 'mood', value: mood, checked: i === 0 }),
      h('span', {}, `${emoji} ${mood}`)))),
    h('p.field-error', { dataset: { errorFor: 'mood' } }));
}

/** The pad and its two sliders; `reset(mood)` moves the point to the mood's defaults. */
function affectPicker() {
  let custom = false;
  const valence = h('input', { type: 'range', min: 0, max: 100, step: 1, value: 80 });
  const arousal = h('input', { type: 'range', min: 0, max: 100, step: 1, value: 60 });
  const dot = svg('circle', { class: 'pad-dot', r: 5, cx: 80, cy: 40 });
  const pad = svg('svg', { class: 'pad', viewBox: '0 0 100 100', 'aria-hidden': 'true' },
    svg('line', { class: 'pad-grid', x1: 50, y1: 0, x2: 50, y2: 100 }),
    svg('line', { class: 'pad-grid', x1: 0, y1: 50, x2: 100, y2: 50 }),
    svg('text', { class: 'pad-label', x: 2, y: 47 }, 'unpleasant'),
    svg('text', { class: 'pad-label', x: 98, y: 47, 'text-anchor': 'end' }, 'pleasant'),
    svg('text', { class: 'pad-label', x: 50, y: 7, 'text-anchor': 'middle' }, 'energetic'),
    svg('text', { class: 'pad-label', x: 50, y: 97, 'text-anchor': 'middle' }, 'calm'),
    dot);
  const draw = () => {
    dot.setAttribute('cx', valence.value);
    dot.setAttribute('cy', String(100 - Number(arousal.value)));
  };
  const moved = () => {
    custom = true;
    draw();
  };
  valence.addEventListener('input', moved);
  arousal.addEventListener('input', moved);
  const fromPointer = (event) => {
    const box = pad.getBoundingClientRect();
    const x = Math.min(1, Math.max(0, (event.clientX - box.left) / box.width));
    const y = Math.min(1, Math.max(0, (event.clientY - box.top) / box.height));
    valence.value = String(Math.round(x * 100));
    arousal.value = String(Math.round((1 - y) * 100));
    moved();
  };
  pad.addEventListener('pointerdown', (event) => {
    pad.setPointerCapture(event.pointerId);
    fromPointer(event);
  });
  pad.addEventListener('pointermove', (event) => {
    if (pad.hasPointerCapture(event.pointerId)) fromPointer(event);
  });
  const el = h('fieldset', {},
    h('legend', {}, 'Valence and arousal'),
    h('p.hint', {}, 'Taken from your mood unless you move the point.'),
    pad,
    field('Valence (unpleasant to pleasant)', valence, { name: 'valence' }),
    field('Arousal (calm to energetic)', arousal, { name: 'arousal' }));
  return {
    el,
    reset(mood) {
      const [v, a] = MOOD_AFFECT[mood] || [0.5, 0.5];
      valence.value = String(Math.round(v * 100));
      arousal.value = String(Math.round(a * 100));
      custom = false;
      draw();
    },
    /** `{valence, arousal}` when set by hand, else `{}`. */
    values() {
      return custom ? { valence: Number(valence.value) / 100, arousal: Number(arousal.value) / 100 } : {};
    },
  };
}

/** Tags typed as "work, family" → ["work", "family"]. */
function parseTags(text) {
  return String(text || '').split(',').map((t) => t.trim()).filter(Boolean);
}

/** The check-in card. `me` is the signed-in user. */
export function checkinCard(me) {
  const picker = affectPicker();
  const intensityOut = h('output', {}, '5');
  const intensity = h('input', { type: 'range', min: 1, max: 10, step: 1, value: 5 });
  intensity.addEventListener('input', () => { intensityOut.value = intensity.value; });
  const visibilityId = uid('visibility');
  const form = h('form', { noValidate: true, 'aria-labelledby': 'checkin-title' },
    moodChoices(),
    h('div.field', { dataset: { field: 'intensity' } },
      h('label', { htmlFor: 'checkin-intensity' }, 'Intensity (1 to 10): ', intensityOut),
      Object.assign(intensity, { id: 'checkin-intensity', name: 'intensity' }),
      h('p.field-error', { dataset: { errorFor: 'intensity' } })),
    field('Note (optional)', h('textarea', { maxLength: 1000 }), { name: 'note' }),
    field('Tags (optional)', h('input', { type: 'text', placeholder: 'work, family' }),
      { name: 'tags', hint: 'Separate tags with commas; up to 10.' }),
    h('div.field', { dataset: { field: 'isPublic' } },
      h('label', { htmlFor: visibilityId }, 'Who can see it'),
      h('select', { id: visibilityId, name: 'isPublic' },
        h('option', { value: 'false' }, 'As my privacy settings say'),
        h('option', { value: 'true' }, 'Public: anyone')),
      h('p.field-error', { dataset: { errorFor: 'isPublic' } })),
    picker.el,
    h('p.form-error', { role: 'alert', tabIndex: -1 }),
    h('button', { type: 'submit' }, 'Check in'));
  form.addEventListener('change', (event) => {
    if (event.target.name === 'mood') picker.reset(event.target.value);
  });
  picker.reset('happy');
  onSubmit(form, async (data) => {
    const body = {
      mood: data.get('mood'),
      intensity: Number(data.get('intensity')),
      isPublic: data.get('isPublic') === 'true',
      tags: parseTags(data.get('tags')),
      ...picker.values(),
    };
    const note = String(data.get('note') || '').trim();
    if (note) body.note = note;
    const outcome = await send(me.id, 'mood', body);
    if (outcome.status === 'sent') {
      toast(`Checked in: ${body.mood}`);
      emit('mood-created', outcome.result);
    } else {
      toast('You are offline: the check-in will be sent when the connection is back.');
    }
    form.reset();
    intensityOut.value = '5';
    picker.reset('happy');
  });
  return h('section.card', { 'aria-labelledby': 'checkin-title' },
    h('h2', { id: 'checkin-title' }, 'Check in'),
    form);
}
