import type { TableClient } from "@azure/data-tables";
import type { CustomerRef } from "../schemas/customer.js";
import type { RecordMatch } from "../schemas/directory.js";
import { findByEmail, findByPhone, getRecord } from "./directoryStore.js";
import { normalizePhone, type NormalizedPhone } from "./normalizePhone.js";

export interface CustomerMatches {
  phone?: NormalizedPhone;
  matches: RecordMatch[];
}

/**
 * Finds the directory records a partner's customer reference points at. The most specific identifier
 * wins: a record id, then the phone number, then the e-mail address.
 */
export async function findCustomer(
  tables: { directory: TableClient; directoryIndex: TableClient },
  tenantId: string,
  customer: CustomerRef,
  defaultCountry: string,
): Promise<CustomerMatches> {
  const phone = customer.phone ? normalizePhone(customer.phone, defaultCountry) : undefined;
  const withPhone = (matches: RecordMatch[]): CustomerMatches => (phone ? { phone, matches } : { matches });

  if (customer.customerId) {
    for (const type of ["contact", "account"] as const) {
      const record = await getRecord(tables, tenantId, type, customer.customerId);
      if (record) return withPhone([{ type, id: record.id, name: record.name }]);
    }
  }
  if (phone) {
    const matches = await findByPhone(tables, tenantId, phone.e164);
    if (matches.length > 0 || !customer.email) return withPhone(matches);
  }
  if (customer.email) return withPhone(await findByEmail(tables, tenantId, customer.email));
  return withPhone([]);
}
