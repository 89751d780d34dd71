import type { Command, Option } from 'commander';

/** What the completion scripts need, read from the commander program so they never drift. */
interface Spec {
  globals: Option[];
  commands: { name: string; description: string; options: Option[]; choices: string[] }[];
}

function specOf(program: Command): Spec {
  const visible = (options: readonly Option[]) => options.filter((o) => !o.hidden && o.long);
  return {
    globals: visible([...program.options, ...helpOptions(program)]),
    commands: program.commands.map((command) => ({
      name: command.name(),
      description: command.description(),
      options: visible(command.options),
      choices: command.registeredArguments.flatMap((argument) => argument.argChoices ?? []),
    })),
  };
}

function helpOptions(program: Command): Option[] {
  // The help option is created lazily by commander; ask the help formatter for it.
  return program
    .createHelp()
    .visibleOptions(program)
    .filter((o) => o.long === '--help');
}

const takesValue = (option: Option) => option.required || option.optional;
const words = (options: Option[]) => options.flatMap((o) => [o.long!, ...(o.short ? [o.short] : [])]);
const singleQuoted = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

function bash(spec: Spec): string {
  const valueOptions = [...spec.globals, ...spec.commands.flatMap((c) => c.options)].filter(takesValue);
  const inlineValues = valueOptions.map((o) => `${o.long}=*`);
  const cases = spec.commands
    .map((c) => {
      const candidates =
        c.name === 'help' ? spec.commands.map((x) => x.name) : [...c.choices, ...words(c.options)];
      return `    ${c.name}) candidates=${singleQuoted(candidates.join(' '))} ;;`;
    })
    .join('\n');
  return `# bash completion for testmax (testmax completion bash)

# bash splits COMP_WORDS at COMP_WORDBREAKS, which include ':' and '=', so
# \`--base-url https://host\` arrives as "https" ":" "//host" and the command after
# it is lost. _testmax uses the words of the line split at blanks only:
# bash-completion's helper when it is loaded, else these, from COMP_LINE up to
# COMP_POINT (sets the caller's cur, prev, words and cword).
_testmax_words() {
  if [[ -n "\${COMP_LINE-}" ]]; then
    local line="\${COMP_LINE:0:\${COMP_POINT:-\${#COMP_LINE}}}"
    read -ra words <<<"$line"
    if [[ \${#words[@]} -eq 0 || "$line" =~ [[:space:]]$ ]]; then words+=(""); fi
    cword=$((\${#words[@]} - 1))
    cur="\${words[cword]}"
    prev="\${words[cword-1]}"
  else
    words=("\${COMP_WORDS[@]}")
    cword=$COMP_CWORD
    cur="\${COMP_WORDS[COMP_CWORD]}"
    prev="\${COMP_WORDS[COMP_CWORD-1]}"
  fi
}

_testmax() {
  local cur prev words cword cmd="" candidates="" i
  if declare -F _get_comp_words_by_ref >/dev/null 2>&1; then
    _get_comp_words_by_ref -n =: cur prev words cword
  else
    _testmax_words
  fi
  # A value (a URL, an e-mail) is the user's to type: offer nothing.
  case "$prev" in
    ${words(valueOptions).join('|')}) return 0 ;;
  esac
  case "$cur" in
    ${inlineValues.join('|')}) return 0 ;;
  esac
  for ((i = 1; i < cword; i++)); do
    case "\${words[i]}" in
      ${words(valueOptions).join('|')}) ((i++)) ;;
      -*) ;;
      *) cmd="\${words[i]}"; break ;;
    esac
  done
  case "$cmd" in
    "") candidates=${singleQuoted(spec.commands.map((c) => c.name).join(' '))} ;;
${cases}
  esac
  # No candidate contains ':' or '=', so the word bash will replace never needs trimming.
  COMPREPLY=($(compgen -W "$candidates ${words(spec.globals).join(' ')}" -- "$cur"))
}
complete -F _testmax testmax
`;
}

function zshOption(option: Option): string {
  const description = option.description.replaceAll('[', '(').replaceAll(']', ')').replaceAll("'", '');
  const value = takesValue(option) ? `:${option.attributeName()}:` : '';
  const spec = `[${description}]${value}`;
  if (option.short) return `'(${option.short} ${option.long})'{${option.short},${option.long}}'${spec}'`;
  return `'${option.long}${spec}'`;
}

function zsh(spec: Spec): string {
  const commands = spec.commands
    .map((c) => `    ${singleQuoted(`${c.name}:${c.description.replaceAll(':', '\\:')}`)}`)
    .join('\n');
  const globals = spec.globals.map((o) => `    ${zshOption(o)} \\`).join('\n');
  const cases = spec.commands
    .map((c) => {
      // The global flags work after the command too (`testmax status --json`): offer them there.
      const specs = [...c.options, ...spec.globals].map(zshOption);
      if (c.choices.length > 0) specs.push(`'1:${c.name}:(${c.choices.join(' ')})'`);
      if (c.name === 'help') specs.push(`'1:command:(${spec.commands.map((x) => x.name).join(' ')})'`);
      return `        ${c.name}) _arguments ${specs.join(' ')} ;;`;
    })
    .join('\n');
  return `#compdef testmax
# zsh completion for testmax (testmax completion zsh)
_testmax() {
  local curcontext="$curcontext" state line
  local -a commands
  commands=(
${commands}
  )
  _arguments -C \\
${globals}
    '1: :->command' \\
    '*:: :->args'
  case $state in
    command) _describe 'command' commands ;;
    args)
      case $line[1] in
${cases}
      esac
      ;;
  esac
}
if [ "$funcstack[1]" = "_testmax" ]; then
  _testmax "$@"
else
  compdef _testmax testmax
fi
`;
}

function fishOption(option: Option, condition?: string): string {
  const parts = ['complete -c testmax'];
  if (condition) parts.push(`-n ${singleQuoted(condition)}`);
  if (option.short) parts.push(`-s ${option.short.slice(1)}`);
  parts.push(`-l ${option.long!.slice(2)}`);
  if (takesValue(option)) parts.push('-r');
  parts.push(`-d ${singleQuoted(option.description)}`);
  return parts.join(' ');
}

function fish(spec: Spec): string {
  const names = spec.commands.map((c) => c.name).join(' ');
  const lines = [
    '# fish completion for testmax (testmax completion fish)',
    'complete -c testmax -f',
    ...spec.globals.map((o) => fishOption(o)),
    ...spec.commands.map(
      (c) =>
        `complete -c testmax -n ${singleQuoted(`not __fish_seen_subcommand_from ${names}`)} -a ${c.name} -d ${singleQuoted(c.description)}`,
    ),
    ...spec.commands.flatMap((c) => {
      const condition = `__fish_seen_subcommand_from ${c.name}`;
      const out = c.options.map((o) => fishOption(o, condition));
      if (c.choices.length > 0)
        out.push(`complete -c testmax -n ${singleQuoted(condition)} -a ${singleQuoted(c.choices.join(' '))}`);
      if (c.name === 'help')
        out.push(`complete -c testmax -n ${singleQuoted(condition)} -a ${singleQuoted(names)}`);
      return out;
    }),
  ];
  return `${lines.join('\n')}\n`;
}

export type Shell = 'bash' | 'zsh' | 'fish';

export function completionScript(program: Command, shell: Shell): string {
  const spec = specOf(program);
  switch (shell) {
    case 'bash':
      return bash(spec);
    case 'zsh':
      return zsh(spec);
    case 'fish':
      return fish(spec);
  }
}
