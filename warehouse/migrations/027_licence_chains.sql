-- licence_evaluation as in 004, with chains of three or more operands evaluated right.
--
-- 004's rewriting round reduced "T AND T" to T and then, in the same round, any "[TF] AND [TF]"
-- to F, so "MIT AND Apache-2.0 AND BSD-3-Clause" (T AND T AND T -> T AND T -> F) read not
-- OSI-approved; and it reduced "F OR F" to F and then any "[TF] OR [TF]" to T, so
-- "CC-BY-4.0 OR CC-BY-SA-4.0 OR WTFPL" (F OR F OR F -> F OR F -> T) read OSI-approved. Now an AND
-- pair with an F is F, T AND T is T; an OR pair with a T is T, F OR F is F. The other rules stay
-- (docs/metrics.md, Hygiene): what does not reduce to T or F within 100 rounds (unbalanced
-- parentheses, dangling operators) is unrecognised.
CREATE OR REPLACE VIEW licence_evaluation AS
WITH RECURSIVE exprs AS (
    SELECT DISTINCT licence FROM repo_licences
    WHERE licence IS NOT NULL AND upper(licence) <> 'NONE'
),
split AS (
    SELECT licence,
           string_split_regex(trim(regexp_replace(
               regexp_replace(licence, '\s+(WITH|with)\s+[^\s()]+', '', 'g'),
               '([()])', ' \1 ', 'g')), '\s+') AS toks
    FROM exprs
),
tokens AS (
    SELECT licence, unnest(toks) AS tok, generate_subscripts(toks, 1) AS pos FROM split
),
mapped AS (
    SELECT t.licence, t.pos,
           CASE WHEN upper(t.tok) IN ('AND', 'OR') THEN upper(t.tok)
                WHEN t.tok IN ('(', ')') THEN t.tok
                WHEN coalesce(s1.osi_approved, s2.osi_approved, false) THEN 'T'
                ELSE 'F' END AS sym,
           upper(t.tok) IN ('AND', 'OR') OR t.tok IN ('(', ')')
               OR s1.spdx_id IS NOT NULL OR s2.spdx_id IS NOT NULL AS known
    FROM tokens AS t
    LEFT JOIN spdx_licenses AS s1 ON lower(s1.spdx_id) = lower(t.tok)
    LEFT JOIN spdx_licenses AS s2 ON lower(s2.spdx_id) = lower(regexp_replace(t.tok, '\+$', ''))
    WHERE t.tok <> ''
),
symbolic AS (
    SELECT licence, string_agg(sym, ' ' ORDER BY pos) AS expr, bool_and(known) AS recognised
    FROM mapped GROUP BY licence
),
-- Rewrite T/F expressions to a single T or F: collapse "( X )", reduce "X AND Y" anywhere
-- (AND binds tightest), reduce "X OR Y" only between OR, parentheses or the ends. Each rewrite
-- writes only what its pair is worth.
reduced(licence, expr, done, depth) AS (
    SELECT licence, expr, expr IN ('T', 'F'), 0 FROM symbolic
    UNION ALL
    SELECT licence, nxt, nxt IN ('T', 'F') OR nxt = expr, depth + 1
    FROM (
        SELECT licence, expr, depth,
               regexp_replace(regexp_replace(
                   regexp_replace(regexp_replace(
                       regexp_replace(expr, '\(\s*([TF])\s*\)', '\1', 'g'),
                       'F AND [TF]|T AND F', 'F', 'g'), 'T AND T', 'T', 'g'),
                   '(^|\( |OR )F OR F( OR| \)|$)', '\1F\2', 'g'),
               '(^|\( |OR )(T OR [TF]|F OR T)( OR| \)|$)', '\1T\3', 'g') AS nxt
        FROM reduced
        WHERE NOT done AND depth < 100
    )
),
final AS (
    SELECT licence, arg_max(expr, depth) AS expr FROM reduced GROUP BY licence
)
SELECT s.licence, s.recognised, f.expr = 'T' AS osi_approved,
       CASE WHEN f.expr = 'T' THEN 'osi_approved'
            WHEN s.recognised AND f.expr = 'F' THEN 'not_osi_approved'
            ELSE 'unrecognised' END AS licence_status
FROM symbolic AS s JOIN final AS f USING (licence);
