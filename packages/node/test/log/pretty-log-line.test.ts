import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '../../src/log/create-logger.js';
import { prettyLogLine } from '../../src/log/pretty-log-line.js';

test('a JSON log line becomes time, level, message and the other fields', () => {
  const line = JSON.stringify({
    level: 40,
    time: Date.UTC(2025, 0, 2, 3, 4, 5, 678),
    pid: 1,
    hostname: 'h',
    name: 'sigmesh',
    msg: 'slow member cut',
    room: 'ab12',
    detail: 'two words',
  });
  assert.equal(
    prettyLogLine(line, false),
    '03:04:05.678 WARN  slow member cut  room=ab12 detail="two words"\n',
  );
  assert.match(prettyLogLine(line, true), /\u001b\[33mWARN /);
  assert.equal(prettyLogLine('not json\n', false), 'not json\n');
});

test('the logger writes JSON to a pipe, readable lines to a terminal, and obeys --log-format', () => {
  const written: string[] = [];
  const output = (isTTY: boolean) => ({ isTTY, write: (text: string) => written.push(text) });
  createLogger('info', 'auto', output(false)).info({ n: 1 }, 'to a pipe');
  createLogger('info', 'auto', output(true), { NO_COLOR: '1' }).info({ n: 2 }, 'to a terminal');
  createLogger('info', 'json', output(true)).info('forced json');
  createLogger('info', 'pretty', output(false)).info('forced pretty');
  assert.equal((JSON.parse(written[0]!) as { msg: string }).msg, 'to a pipe');
  assert.match(written[1]!, /^\d\d:\d\d:\d\d\.\d{3} INFO  to a terminal {2}n=2\n$/);
  assert.equal((JSON.parse(written[2]!) as { msg: string }).msg, 'forced json');
  assert.match(written[3]!, / INFO  forced pretty\n$/);
});
