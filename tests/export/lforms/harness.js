// For each case in window.CASES ({name, questionnaire, response, refuse: {linkId: value}}): convert
// the Questionnaire with LHC-Forms, merge the response, render it, let the form compute, and report
// what it made of it. The Python test compares that with the app's own path and scores.

// What LHC-Forms complains about (an expression it cannot run, say) goes into the report.
const complaints = [];
for (const level of ['error', 'warn']) {
  const original = console[level].bind(console);
  console[level] = (...args) => { complaints.push(args.map(String).join(' ').slice(0, 500)); original(...args); };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(test, what, ms = 20000) {
  const start = performance.now();
  while (!test()) {
    if (performance.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

function linkIds(items, out = []) {
  for (const item of items || []) {
    out.push(item.linkId ?? item.questionCode);
    linkIds(item.item ?? item.items, out);
  }
  return out;
}

function answers(qr) {
  // linkId -> the first answer's value (a coding's code), for every answered item at any depth
  const out = {};
  const walk = (items) => {
    for (const item of items || []) {
      if (item.answer && item.answer.length) {
        const a = item.answer[0];
        const key = Object.keys(a).find((k) => k.startsWith('value'));
        out[item.linkId] = key === 'valueCoding' ? a[key].code : a[key];
      }
      walk(item.item);
    }
  };
  walk(qr.item);
  return out;
}

async function render(questionnaire, response, version) {
  const lf = LForms.Util.convertFHIRQuestionnaireToLForms(questionnaire, version);
  const converted = linkIds(lf.items);
  const element = document.createElement('div');
  document.body.appendChild(element);
  // The Questionnaire as it is, with the response to merge: LHC-Forms converts both itself, and
  // then runs the form's expressions (variables, calculated items, enableWhenExpression).
  await LForms.Util.addFormToPage(questionnaire, element, { fhirVersion: version, questionnaireResponse: response });
  // The form computes after its first change detection: read it until two readings agree.
  let qr = LForms.Util.getFormFHIRData('QuestionnaireResponse', version, element);
  for (let i = 0; i < 100; i++) {
    await sleep(20);
    const again = LForms.Util.getFormFHIRData('QuestionnaireResponse', version, element);
    const same = JSON.stringify(again) === JSON.stringify(qr);
    qr = again;
    if (same && i >= 2) break;
  }
  const enabled = [];
  const walk = (items) => {
    for (const item of items || []) {
      if (item._skipLogicStatus !== 'target-disabled' && item._enableWhenExpVal !== false) enabled.push(item.linkId);
      walk(item.items);
    }
  };
  walk(LForms.Util._getFormObjectInScope(element).items);
  const errors = LForms.Util.getFormData(element) ? (LForms.Util.checkValidity(element) || []) : [];
  LForms.Util.removeFormsFromPage(element);
  element.remove();
  return { converted, enabled, answers: answers(qr), errors: errors.map(String) };
}

async function check(c) {
  const version = LForms.Util.detectFHIRVersion(c.questionnaire);
  const start = performance.now();
  const shown = await render(c.questionnaire, c.response, version);
  const ms = performance.now() - start;
  const refused = {};
  for (const [linkId, value] of Object.entries(c.refuse || {})) {
    const response = structuredClone(c.response);
    const item = response.item.find((i) => i.linkId === linkId);
    item.answer = [{ valueInteger: value }];
    const result = await render(c.questionnaire, response, version);
    refused[linkId] = { kept: result.answers[linkId] ?? null, errors: result.errors };
  }
  return { name: c.name, version, ms, ...shown, refused };
}

(async () => {
  const out = document.getElementById('result');
  try {
    await until(() => window.LForms && LForms.Util && LForms.Util.convertFHIRQuestionnaireToLForms
      && customElements.get('wc-lhc-form'), 'LHC-Forms to load');
    const results = [];
    for (const c of window.CASES) results.push(await check(c));
    out.textContent = JSON.stringify({ ok: true, results, complaints });
  } catch (err) {
    out.textContent = JSON.stringify({ ok: false, error: String((err && err.stack) || err), complaints });
  }
  document.title = 'done';
})();
