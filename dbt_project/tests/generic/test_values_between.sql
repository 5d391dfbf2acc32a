{#- Rows whose value lies outside [min_value, max_value]; nulls pass (a rate with a zero
    denominator is null by design). -#}
{% test values_between(model, column_name, min_value=0, max_value=1) %}

select *
from {{ model }}
where {{ column_name }} is not null
    and ({{ column_name }} < {{ min_value }} or {{ column_name }} > {{ max_value }})

{% endtest %}
