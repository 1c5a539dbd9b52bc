/** The tests' view of the plan tooling's stack files (scripts/plan/stack-config.ts). */
export { REPO_ROOT, STACKS, readProjectFile, stackConfig } from "../../scripts/plan/stack-config";
