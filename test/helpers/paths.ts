import path from 'path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const BIN_MAIN = path.join(REPO_ROOT, 'bin', 'main');
export const TEST_FILES = path.join(REPO_ROOT, 'test_files');
export const SCHEMAS_DIR = path.join(REPO_ROOT, 'resources', 'schemas');
