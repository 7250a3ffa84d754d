import {systemError} from '../errors';

export interface ClosePage {
  data: Record<string, any>[];
  has_more?: boolean;
  total_results?: number;
  cursor_next?: string | null;
}

/**
 * An answer that is not a Close list page, a record without an id, or a page
 * that promises more while holding nothing would otherwise turn into missing
 * rows or an endless loop: fail loudly instead.
 */
export function checkPage(page: unknown, where: string, key = 'id'): ClosePage {
  if (typeof page !== 'object' || page === null || !Array.isArray((page as ClosePage).data)) {
    const shape = page === null ? 'null' : Array.isArray(page) ? 'an array' : typeof page;
    throw systemError(`${where}: Close answered ${shape} where a page {"data": [...]} was expected`);
  }
  if ((page as ClosePage).has_more === true && (page as ClosePage).data.length === 0) {
    throw systemError(`${where}: Close said has_more but sent an empty page; stopping instead of looping`);
  }
  for (const record of (page as ClosePage).data) {
    if (typeof record !== 'object' || record === null || typeof record[key] !== 'string' || record[key] === '') {
      throw systemError(`${where}: Close answered a record without ${key === 'id' ? 'an id' : `its key ${key}`}: ${JSON.stringify(record).slice(0, 200)}`);
    }
  }
  return page as ClosePage;
}
