// Runs DAISY Ace (ace-core with its Puppeteer axe runner) over every EPUB
// named on the command line, in one Node process, and prints one JSON line
// per book, after `ACE-RESULT `: {"book", "outcome", "violations": [{"impact", "rule", "file",
// "title", "where"}]} (or {"book", "error"}). tests/ace.rs judges them.
//
// Puppeteer drives Debian's Chromium: PUPPETEER_EXECUTABLE_PATH is set by
// the caller; nothing is downloaded (npm ci runs with
// PUPPETEER_SKIP_DOWNLOAD=true and no install scripts).
'use strict';

const ace = require('@daisy/ace-core');
const axeRunner = require('@daisy/ace-axe-runner-puppeteer');

function violations(report) {
  const found = [];
  for (const subject of report.assertions || []) {
    for (const a of subject.assertions || []) {
      if ((a['earl:result'] || {})['earl:outcome'] !== 'fail') continue;
      const test = a['earl:test'] || {};
      const pointer = (a['earl:result'] || {})['earl:pointer'] || {};
      found.push({
        impact: test['earl:impact'],
        rule: test['dct:title'],
        file: (subject['earl:testSubject'] || {}).url,
        title: test['dct:description'] || '',
        where: (pointer.css || []).join(' '),
      });
    }
  }
  return found;
}

(async () => {
  for (const book of process.argv.slice(2)) {
    try {
      const [, report] = await ace(book, { cwd: process.cwd(), silent: true, jobId: '', lang: 'en' }, axeRunner);
      process.stdout.write('ACE-RESULT ' + JSON.stringify({
        book,
        outcome: report['earl:result']['earl:outcome'],
        violations: violations(report),
      }) + '\n');
    } catch (e) {
      process.stdout.write('ACE-RESULT ' + JSON.stringify({ book, error: String(e && e.message ? e.message : e) }) + '\n');
    }
  }
})();
