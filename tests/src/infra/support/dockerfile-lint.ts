/** One Dockerfile instruction, continuation lines joined. */
export interface DockerInstruction {
  keyword: string;
  arguments: string;
  line: number;
}

export function parseDockerfile(text: string): DockerInstruction[] {
  const instructions: DockerInstruction[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const first = lines[index]?.trim() ?? '';
    if (first === '' || first.startsWith('#')) continue;
    const start = index;
    let joined = first;
    while (joined.endsWith('\\') && index + 1 < lines.length) {
      index++;
      const next = lines[index]?.trim() ?? '';
      joined = `${joined.slice(0, -1)} ${next.startsWith('#') ? '' : next}`;
    }
    const [keyword = '', ...rest] = joined.split(/\s+/);
    instructions.push({ keyword: keyword.toUpperCase(), arguments: rest.join(' '), line: start + 1 });
  }
  return instructions;
}

const secretLikeName = /TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|API_?KEY|PRIVATE_KEY|_URL$/i;

/** Exec form: a JSON array of strings. Shell form runs `/bin/sh -c`, which does not pass SIGTERM on. */
function isExecForm(argumentsText: string): boolean {
  try {
    const parsed: unknown = JSON.parse(argumentsText);
    return Array.isArray(parsed) && parsed.length > 0 && parsed.every((part) => typeof part === 'string');
  } catch {
    return false;
  }
}

/** Variable names an ARG or ENV instruction declares (`ENV A=1 B=2`, `ENV A 1`, `ARG A`). */
function declaredNames(instruction: DockerInstruction): string[] {
  if (instruction.keyword === 'ENV' && !instruction.arguments.includes('=')) {
    return [instruction.arguments.split(/\s+/)[0] ?? ''];
  }
  return [...instruction.arguments.matchAll(/(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)(?==|\s|$)/g)].map(
    (match) => match[1] ?? '',
  );
}

/**
 * The production image's rules: multi-stage, every base pinned to a version tag (not `latest`, not bare),
 * Node 20, a non-root USER in the final stage, no secret-looking ARG/ENV (they stay in the image's layers
 * and history), exec-form ENTRYPOINT/CMD (SIGTERM reaches Node). Returns one line per violation.
 */
export function lintDockerfile(text: string): string[] {
  const instructions = parseDockerfile(text);
  const problems: string[] = [];
  const froms = instructions.filter((instruction) => instruction.keyword === 'FROM');
  if (froms.length < 2) problems.push('not multi-stage: expected a build stage and a runtime stage');
  const stageNames = new Set(
    froms.map((from) => /\sAS\s+(\S+)/i.exec(from.arguments)?.[1]?.toLowerCase()).filter(Boolean),
  );
  for (const from of froms) {
    const image = from.arguments.split(/\s+/).find((part) => !part.startsWith('--')) ?? '';
    if (stageNames.has(image.toLowerCase())) continue;
    const tag = /^[^@]+?:([^:/@]+)(@sha256:[0-9a-f]{64})?$/.exec(image)?.[1];
    if (tag === undefined) problems.push(`line ${from.line}: base image ${image} has no version tag`);
    else if (tag === 'latest' || !/\d/.test(tag))
      problems.push(`line ${from.line}: base image ${image} is not pinned to a version`);
    else if (image.startsWith('node:') && !tag.startsWith('20'))
      problems.push(`line ${from.line}: ${image} is not Node 20`);
  }
  const lastFrom = instructions.lastIndexOf(froms.at(-1) as DockerInstruction);
  const finalStage = instructions.slice(lastFrom + 1);
  const users = finalStage.filter((instruction) => instruction.keyword === 'USER');
  const user = users.at(-1)?.arguments.split(':')[0];
  if (user === undefined) problems.push('the final stage sets no USER: it would run as root');
  else if (user === 'root' || user === '0') problems.push(`the final stage runs as ${user}`);
  for (const instruction of instructions) {
    if (instruction.keyword !== 'ARG' && instruction.keyword !== 'ENV') continue;
    for (const name of declaredNames(instruction)) {
      if (secretLikeName.test(name)) {
        problems.push(
          `line ${instruction.line}: ${instruction.keyword} ${name} would store a secret in the image`,
        );
      }
    }
  }
  for (const keyword of ['ENTRYPOINT', 'CMD']) {
    const last = finalStage.filter((instruction) => instruction.keyword === keyword).at(-1);
    if (last === undefined) {
      if (keyword === 'ENTRYPOINT') problems.push('the final stage has no ENTRYPOINT');
      continue;
    }
    if (!isExecForm(last.arguments)) problems.push(`line ${last.line}: ${keyword} is not in exec form`);
    else if (/^\["?(\/bin\/)?(ba)?sh"/.test(last.arguments))
      problems.push(`line ${last.line}: ${keyword} runs a shell`);
  }
  return problems;
}
