/**
 * Evaluates the Traefik router rules pacstack renders (Host, Path, PathPrefix, Method joined by && and ||, with
 * parentheses), with Traefik's default priority (the rule's length) unless one is given.
 */
export interface RequestFacts {
    host: string;
    path: string;
    method: string;
}

type Node = { op: "and" | "or"; left: Node; right: Node } | { matcher: string; value: string };

function tokenize(rule: string): string[] {
    const tokens: string[] = [];
    const pattern = /\s*(&&|\|\||\(|\)|[A-Za-z]+\(`[^`]*`\))/y;
    let match: RegExpExecArray | null;
    while (pattern.lastIndex < rule.length && (match = pattern.exec(rule))) {
        tokens.push(match[1]);
    }
    if (pattern.lastIndex !== rule.length && rule.slice(pattern.lastIndex).trim() !== "") {
        throw new Error(`cannot parse rule at: ${rule.slice(pattern.lastIndex)}`);
    }
    return tokens;
}

export function parseRule(rule: string): Node {
    const tokens = tokenize(rule);
    let at = 0;
    const primary = (): Node => {
        const token = tokens[at++];
        if (token === "(") {
            const inner = or();
            if (tokens[at++] !== ")") throw new Error(`unbalanced parentheses in ${rule}`);
            return inner;
        }
        const m = /^([A-Za-z]+)\(`([^`]*)`\)$/.exec(token ?? "");
        if (!m) throw new Error(`unexpected ${token} in ${rule}`);
        return { matcher: m[1], value: m[2] };
    };
    const and = (): Node => {
        let left = primary();
        while (tokens[at] === "&&") {
            at++;
            left = { op: "and", left, right: primary() };
        }
        return left;
    };
    const or = (): Node => {
        let left = and();
        while (tokens[at] === "||") {
            at++;
            left = { op: "or", left, right: and() };
        }
        return left;
    };
    const tree = or();
    if (at !== tokens.length) throw new Error(`trailing tokens in ${rule}`);
    return tree;
}

export function evaluate(node: Node, request: RequestFacts): boolean {
    if ("op" in node) {
        return node.op === "and" ? evaluate(node.left, request) && evaluate(node.right, request) : evaluate(node.left, request) || evaluate(node.right, request);
    }
    switch (node.matcher) {
        case "Host":
            // Traefik compares the host without its port, case-insensitively.
            return request.host.replace(/:\d+$/, "").toLowerCase() === node.value.toLowerCase();
        case "Path":
            return request.path === node.value;
        case "PathPrefix":
            return request.path.startsWith(node.value);
        case "Method":
            return request.method.toUpperCase() === node.value.toUpperCase();
        default:
            throw new Error(`matcher ${node.matcher} is not supported by the test edge`);
    }
}

export function rulePriority(router: { match: string; priority?: number }): number {
    return router.priority ?? router.match.length;
}
