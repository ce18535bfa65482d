import { sql } from 'drizzle-orm';
import type { Tx } from './db';
import { rowsOf } from './sql-values';

/** A product bought by others who bought what this contact bought (best first). */
export interface Recommendation {
  product_id: string;
  title: string | null;
  price: number | null;
  currency: string | null;
  url: string | null;
  image: string | null;
  /** How many other orders bought it together with one of the contact's products. */
  score: number;
}

export interface RecommendationTarget {
  contactId: number;
  /** Products to recommend around besides the contact's purchases (the cart's), never recommended themselves. */
  seedProductIds?: string[];
}

/**
 * Product recommendations for a batch of contacts, in ONE statement, run before rendering so the
 * `recommend` helper stays synchronous and pure: "people who bought what you bought also
 * bought". For each contact, the products of its orders (plus any seed products, e.g. its cart)
 * are looked up in other people's orders (guest orders included); every other product in those
 * orders scores one per order it appears in. What the contact already bought or has as a seed is
 * never recommended. Best `limit` per contact, score descending then product id (stable).
 * Title, price, url and image come from the newest order line of the product, the currency from
 * that order. Products are matched by the order lines' `product_id`; lines without one are
 * ignored. Contacts without any recommendation are absent from the map.
 */
export async function recommendationsFor(tx: Tx, targets: RecommendationTarget[], limit: number): Promise<Map<number, Recommendation[]>> {
  const out = new Map<number, Recommendation[]>();
  if (targets.length === 0 || limit <= 0) return out;
  const input = JSON.stringify(targets.map((t) => ({ contact_id: t.contactId, seeds: t.seedProductIds ?? [] })));
  const rows = rowsOf<{
    contact_id: string | number;
    product_id: string;
    score: string | number;
    item: Record<string, unknown>;
    currency: string | null;
  }>(
    await tx.execute(sql`
      with target as (
        select distinct on (contact_id) contact_id, seeds from jsonb_to_recordset(${input}::jsonb) as t(contact_id bigint, seeds jsonb)
      ),
      lines as (
        select o.id as order_id, o.contact_id, o.currency, o.occurred_at, i->>'product_id' as product_id, i as item
        from orders o
        cross join lateral jsonb_array_elements(case when jsonb_typeof(o.items) = 'array' then o.items else '[]'::jsonb end) i
        where jsonb_typeof(i) = 'object' and coalesce(i->>'product_id', '') <> ''
      ),
      owned as (
        select l.contact_id, l.product_id from lines l join target t on t.contact_id = l.contact_id
        union
        select t.contact_id, s.product_id from target t cross join lateral jsonb_array_elements_text(t.seeds) as s(product_id)
      ),
      co as (
        select w.contact_id, other.product_id, count(distinct other.order_id) as score,
               (array_agg(other.item order by other.occurred_at desc, other.order_id desc))[1] as item,
               (array_agg(other.currency order by other.occurred_at desc, other.order_id desc))[1] as currency
        from owned w
        join lines base on base.product_id = w.product_id and base.contact_id is distinct from w.contact_id
        join lines other on other.order_id = base.order_id and other.product_id <> base.product_id
        where not exists (select 1 from owned x where x.contact_id = w.contact_id and x.product_id = other.product_id)
        group by w.contact_id, other.product_id
      )
      select contact_id, product_id, score, item, currency from (
        select co.*, row_number() over (partition by contact_id order by score desc, product_id) as rank from co
      ) ranked
      where rank <= ${limit}
      order by contact_id, rank`),
  );
  for (const r of rows) {
    const contactId = Number(r.contact_id);
    const item = r.item ?? {};
    const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
    const price = Number(item.price);
    const list = out.get(contactId) ?? [];
    list.push({
      product_id: r.product_id,
      title: str(item.title),
      price: item.price !== undefined && item.price !== null && Number.isFinite(price) ? price : null,
      currency: str(item.currency) ?? r.currency,
      url: str(item.url),
      image: str(item.image),
      score: Number(r.score),
    });
    out.set(contactId, list);
  }
  return out;
}
