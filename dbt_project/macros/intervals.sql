{#- 95% intervals of METRICS.md ("Shared definitions"), the same SQL on every target.

    wilson_low(k, n) / wilson_high(k, n): the Wilson score interval of the rate k / n with
    z = 1.96:  (p + z²/2n ± z·sqrt(p(1−p)/n + z²/4n²)) / (1 + z²/n); null when n is 0 or null.

    newcombe_low(k1, n1, k2, n2) / newcombe_high(...): the interval of p1 − p2 (Newcombe's
    method 10) from the two Wilson intervals [l1, u1], [l2, u2]:
        [d − sqrt((p1−l1)² + (u2−p2)²),  d + sqrt((u1−p1)² + (p2−l2)²)];
    null when either denominator is 0 or null.

    Arguments are SQL expressions (counts); each is evaluated as a double. -#}

{% macro _wilson(k, n, sign) -%}
    {%- set z = 1.96 -%}
    {%- set dbl = plcqi.type_double() -%}
    {%- set nn = 'nullif(cast(' ~ n ~ ' as ' ~ dbl ~ '), 0)' -%}
    {%- set p = '(cast(' ~ k ~ ' as ' ~ dbl ~ ') / ' ~ nn ~ ')' -%}
    (({{ p }} + {{ z * z }} / (2 * {{ nn }})
      {{ sign }} {{ z }} * sqrt({{ p }} * (1 - {{ p }}) / {{ nn }}
                               + {{ z * z }} / (4 * {{ nn }} * {{ nn }})))
     / (1 + {{ z * z }} / {{ nn }}))
{%- endmacro %}

{#- At k = 0 the lower bound is exactly 0 and at k = n the upper bound exactly 1; in floating
    point the formula can miss them by 1e-17 either way (0 / 11 gives 2e-17, 12 / 12 gives
    1 - 2e-16), giving an interval that leaves out its own rate. -#}
{% macro wilson_low(k, n) -%}
    case
        when {{ n }} > 0 and {{ k }} = 0 then cast(0 as {{ plcqi.type_double() }})
        when {{ n }} > 0 then
            greatest(cast(0 as {{ plcqi.type_double() }}), {{ plcqi._wilson(k, n, '-') }})
    end
{%- endmacro %}

{% macro wilson_high(k, n) -%}
    case
        when {{ n }} > 0 and {{ k }} = {{ n }} then cast(1 as {{ plcqi.type_double() }})
        when {{ n }} > 0 then
            least(cast(1 as {{ plcqi.type_double() }}), {{ plcqi._wilson(k, n, '+') }})
    end
{%- endmacro %}

{% macro _rate(k, n) -%}
    (cast({{ k }} as {{ plcqi.type_double() }}) / nullif(cast({{ n }} as {{ plcqi.type_double() }}), 0))
{%- endmacro %}

{% macro newcombe_low(k1, n1, k2, n2) -%}
    ({{ plcqi._rate(k1, n1) }} - {{ plcqi._rate(k2, n2) }}
     - sqrt(power({{ plcqi._rate(k1, n1) }} - {{ plcqi.wilson_low(k1, n1) }}, 2)
            + power({{ plcqi.wilson_high(k2, n2) }} - {{ plcqi._rate(k2, n2) }}, 2)))
{%- endmacro %}

{% macro newcombe_high(k1, n1, k2, n2) -%}
    ({{ plcqi._rate(k1, n1) }} - {{ plcqi._rate(k2, n2) }}
     + sqrt(power({{ plcqi.wilson_high(k1, n1) }} - {{ plcqi._rate(k1, n1) }}, 2)
            + power({{ plcqi._rate(k2, n2) }} - {{ plcqi.wilson_low(k2, n2) }}, 2)))
{%- endmacro %}
